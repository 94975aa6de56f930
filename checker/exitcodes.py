"""Exit codes of `protocheck check` and `protocheck synthesize` (documented in the README): a
contract with CI, defined once. Kept apart so that the CLI can name them before it loads
anything else."""

EXIT_OK = 0  # every verdict matches its spec's `expect` (synthesize: every region is exact)
EXIT_MISMATCH = 1  # some verdict does not match its `expect`
EXIT_INPUT = 2  # bad input or usage: a located diagnostic was printed
EXIT_INCONCLUSIVE = 3  # a bound or the timeout stopped a search before its verdict
EXIT_INTERNAL = 70  # a crash inside protocheck (a bug): the traceback is in a file
EXIT_INTERRUPTED = 130  # Ctrl-C, after printing partial statistics
