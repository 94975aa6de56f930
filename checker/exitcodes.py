"""Exit codes of `protocheck check`, `synthesize` and `simulate` (documented in the README): a
contract with CI, defined once. Kept apart so that the CLI can name them before it loads
anything else. (`simulate` proves nothing, so for it 0 also means "no violation found where
the spec expects holds", and 3 "the violation the spec expects was not found":
`checker.report.SimulationReport.exit_code`.)"""

EXIT_OK = 0  # every verdict matches its spec's `expect` (synthesize: every region is exact)
EXIT_MISMATCH = 1  # some verdict does not match its `expect`
EXIT_INPUT = 2  # bad input or usage: a located diagnostic was printed
EXIT_INCONCLUSIVE = 3  # a bound or the timeout stopped a search before its verdict
EXIT_BASELINE = 4  # check --baseline: the run differs from the baseline as --fail-on says
EXIT_INTERNAL = 70  # a crash inside protocheck (a bug): the traceback is in a file
EXIT_INTERRUPTED = 130  # Ctrl-C, after printing partial statistics

# A run of several specs exits with the first of these codes that any of them has (else 0).
# An interrupted run's results are partial, and broken input means some spec was not checked
# at all: both say less than any verdict. A mismatch with `expect` comes before a difference
# from the baseline, so a baseline never hides a spec that fails its own `expect`; and a
# definite difference comes before an inconclusive search. (70, a crash, ends the run at once.)
PRECEDENCE = (EXIT_INTERRUPTED, EXIT_INPUT, EXIT_MISMATCH, EXIT_BASELINE, EXIT_INCONCLUSIVE)


def overall(codes: list[int]) -> int:
    """The exit code of a run whose parts exited with `codes`."""
    return next((c for c in PRECEDENCE if c in codes), EXIT_OK)
