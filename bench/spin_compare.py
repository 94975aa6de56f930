"""Cross-check protocheck's state counts against SPIN on a Promela twin of forwarding_task.

For N = 1..4 (or --max-n) and both variants (buggy: FIXED = false, fixed: FIXED = true) this
script explores models/forwarding_task.model fully with protocheck (no invariants, no deadlock
check, so nothing stops the search) and the generated Promela twin with SPIN
(`spin -a`, `gcc -DNOREDUCE -DSAFETY`, `./pan -E`: no partial-order reduction, full search,
invalid end states ignored), and prints both distinct-state counts side by side.
Exit status 0 iff every pair is equal.

How the twin mirrors the DSL semantics (one DSL transition = one Promela atomic step):
  * Every actor instance is its own `active proctype` whose body is a single
    `do :: d_step { guard -> effect } :: ... od`. The process counter therefore never changes
    between steps, so SPIN's state is exactly our state: global variables for control states
    and actor variables, plus channel contents.
  * A DSL step `step S in X when G { body }` becomes `d_step { st == X && G -> body }`.
  * A DSL handler `on M in X { body }` reading the FIFO channel from sender instance j becomes
    `d_step { st == X && c_j?[M] -> c_j?M; body }`: enabled only when M is at the head of
    that channel, exactly our head-of-line rule; the receive happens inside the same atomic
    step as the body.
  * `send M to R` inside a body becomes `c!M` with an `nfull(c)` conjunct in the guard: in the
    DSL a send to a full channel disables the whole transition, which is what the guard says.
  * `goto S` is an assignment to the instance's control-state variable; `if` becomes `if::fi`.
  * Channels exist per (sender instance, receiver instance) pair with the DSL capacity (4).
    The DSL also allocates pairs that are never used (e.g. HttpClient[0] -> Invocation[1]);
    they stay empty in every state, so leaving them out of the twin changes no count.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from benchspec import write_spec

from checker.run import CheckOptions, check

CAP = 4

# Control states, in declaration order (the numbering only has to be consistent in the twin).
CLIENT = ["Idle", "Waiting", "Done"]
INVOCATION = ["Idle", "Received", "Dispatched", "Forwarding", "AwaitingResult",
              "EnsuringForwarding", "Completed", "Failed"]


def promela(n: int, fixed: bool) -> str:
    c = {name: k for k, name in enumerate(CLIENT)}
    v = {name: k for k, name in enumerate(INVOCATION)}
    out = ["mtype = { HttpRequest, InvocationRequest, InvocationResponse, HttpResponse };",
           f"byte client_st[{n}]; bool client_ok[{n}];",
           f"byte inv_st[{n}]; bool inv_fts[{n}];"]
    for k in range(n):
        out += [f"chan client_inv_{k} = [{CAP}] of {{ mtype }};",
                f"chan inv_worker_{k} = [{CAP}] of {{ mtype }};",
                f"chan worker_inv_{k} = [{CAP}] of {{ mtype }};",
                f"chan inv_client_{k} = [{CAP}] of {{ mtype, bool }};"]
    for k in range(n):
        out.append(f"""
active proctype HttpClient_{k}() {{
  bool ok;
  do
  /* step SendRequest in Idle */
  :: d_step {{ client_st[{k}] == {c['Idle']} && nfull(client_inv_{k}) ->
       client_inv_{k}!HttpRequest; client_st[{k}] = {c['Waiting']} }}
  /* on HttpResponse in Waiting */
  :: d_step {{ client_st[{k}] == {c['Waiting']} && inv_client_{k}?[HttpResponse, ok] ->
       inv_client_{k}?HttpResponse, client_ok[{k}]; client_st[{k}] = {c['Done']}; ok = 0 }}
  od
}}""")
        if fixed:
            order = f"""
  /* step StartForwardingFirst in Received (FIXED) */
  :: d_step {{ inv_st[{k}] == {v['Received']} ->
       inv_fts[{k}] = 1; inv_st[{k}] = {v['Forwarding']} }}
  /* step DispatchAfterForwarding in Forwarding (FIXED) */
  :: d_step {{ inv_st[{k}] == {v['Forwarding']} && nfull(inv_worker_{k}) ->
       inv_worker_{k}!InvocationRequest; inv_st[{k}] = {v['AwaitingResult']} }}"""
        else:
            order = f"""
  /* step DispatchInvocation in Received (buggy) */
  :: d_step {{ inv_st[{k}] == {v['Received']} && nfull(inv_worker_{k}) ->
       inv_worker_{k}!InvocationRequest; inv_st[{k}] = {v['Dispatched']} }}
  /* step StartForwarding in Dispatched (buggy) */
  :: d_step {{ inv_st[{k}] == {v['Dispatched']} ->
       inv_fts[{k}] = 1; inv_st[{k}] = {v['AwaitingResult']} }}"""
        out.append(f"""
active proctype Invocation_{k}() {{
  do
  /* on HttpRequest in Idle */
  :: d_step {{ inv_st[{k}] == {v['Idle']} && client_inv_{k}?[HttpRequest] ->
       client_inv_{k}?HttpRequest; inv_st[{k}] = {v['Received']} }}{order}
  /* on InvocationResponse in Dispatched, AwaitingResult */
  :: d_step {{ worker_inv_{k}?[InvocationResponse] &&
       (inv_st[{k}] == {v['Dispatched']} || inv_st[{k}] == {v['AwaitingResult']}) ->
       worker_inv_{k}?InvocationResponse; inv_st[{k}] = {v['EnsuringForwarding']} }}
  /* step EnsureSuccessfulForwarding in EnsuringForwarding */
  :: d_step {{ inv_st[{k}] == {v['EnsuringForwarding']} && nfull(inv_client_{k}) ->
       if
       :: inv_fts[{k}] -> inv_client_{k}!HttpResponse, 1; inv_st[{k}] = {v['Completed']}
       :: else -> inv_client_{k}!HttpResponse, 0; inv_st[{k}] = {v['Failed']}
       fi }}
  od
}}""")
    worker = "\n".join(f"""  /* on InvocationRequest from Invocation[{k}] */
  :: d_step {{ inv_worker_{k}?[InvocationRequest] && nfull(worker_inv_{k}) ->
       inv_worker_{k}?InvocationRequest; worker_inv_{k}!InvocationResponse }}"""
                       for k in range(n))
    out.append(f"""
active proctype Worker() {{
  do
{worker}
  od
}}""")
    return "\n".join(out) + "\n"


def protocheck_states(n: int, fixed: bool) -> int:
    spec = write_spec(f"spin_compare_{'fixed' if fixed else 'buggy'}_n{n}", "forwarding_task",
                      {"N": n, "FIXED": fixed}, "deadlock off\nexpect holds")
    result = check(spec, CheckOptions(symmetry="off"))  # SPIN counts every state
    assert result.complete
    return result.stats.states


def spin_states(n: int, fixed: bool, workdir: str) -> int:
    pml = os.path.join(workdir, f"forwarding_{'fixed' if fixed else 'buggy'}_{n}.pml")
    with open(pml, "w") as f:
        f.write(promela(n, fixed))
    run = {"cwd": workdir, "capture_output": True, "text": True}
    subprocess.run(["spin", "-a", os.path.basename(pml)], check=True, **run)
    subprocess.run(["gcc", "-O2", "-DNOREDUCE", "-DSAFETY", "-o", "pan", "pan.c"], check=True,
                   **run)
    p = subprocess.run(["./pan", "-E", "-m1000000"], check=True, **run)
    m = re.search(r"(\d+) states, stored", p.stdout)
    if not m:
        raise RuntimeError(f"unexpected pan output:\n{p.stdout}")
    if "errors: 0" not in p.stdout:
        raise RuntimeError(f"pan reported errors:\n{p.stdout}")
    return int(m.group(1))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-n", type=int, default=4)
    ap.add_argument("--keep", metavar="DIR", help="write the Promela files to DIR")
    args = ap.parse_args()
    if shutil.which("spin") is None:
        print("spin is not installed (Debian package 'spin')", file=sys.stderr)
        return 2
    workdir = args.keep or tempfile.mkdtemp(prefix="protocheck-spin-")
    os.makedirs(workdir, exist_ok=True)
    print(f"{'variant':<8} {'N':>3} {'protocheck':>12} {'SPIN':>12}  agree")
    ok = True
    for n in range(1, args.max_n + 1):
        for fixed in (False, True):
            ours = protocheck_states(n, fixed)
            theirs = spin_states(n, fixed, workdir)
            same = ours == theirs
            ok &= same
            print(f"{'fixed' if fixed else 'buggy':<8} {n:>3} {ours:>12,} {theirs:>12,}  "
                  f"{'yes' if same else 'NO'}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
