"""Where the shards of a partitioned search (`checker.engines.shards`) run: worker processes on
this machine (`--workers N`), or actors in a Ray cluster (`--cluster`).

A pool makes one `Shard` per worker from the model's IR (the compiled model holds generated
functions, which do not travel; each worker compiles the IR itself, as fast as loading) and
runs one phase of a round on every shard at once: `call(method, args per shard)` returns each
shard's answer, in shard order. Ray was chosen over Dask distributed by measurement
(docs/engines.md): a call costs 1.1 ms against 2.6 ms, and a million rows move at 0.03 against
0.05 µs a state.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback


class WorkerFailed(RuntimeError):
    """A shard raised: the message carries the worker's traceback."""


class ClusterUnavailable(Exception):
    """Ray is not installed, or the cluster cannot be reached: an input error, not a bug."""


def _serve(conn, args: tuple, me: int, count: int) -> None:
    """A local worker: build the shard, then answer calls until told to stop."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the coordinator's to handle
    from checker.engines.shards import Shard

    try:
        try:
            shard = Shard(*args, me, count)
            conn.send(("ok", None))
        except Exception:  # noqa: BLE001  (reported to the coordinator, which raises)
            conn.send(("error", traceback.format_exc()))
            return
        while True:
            msg = conn.recv()
            if msg is None:
                return
            method, margs = msg
            try:
                answer = ("ok", getattr(shard, method)(*margs))
            except Exception:  # noqa: BLE001
                answer = ("error", traceback.format_exc())
            conn.send(answer)
    except (EOFError, OSError):  # the coordinator is gone (it stopped, or failed): so are we
        return


def exchange_through(pool, b: int, e: int) -> tuple[list, list]:
    """Expand states b..e-1 in every shard and hand each successor to its owner, through
    this process: each shard's events, and what the owners' invariants missed."""
    expanded = pool.call("expand", [(b, e)] * pool.size)
    inboxes = [[expanded[w][0][v] for w in range(pool.size) if w != v]
               for v in range(pool.size)]
    return [x[1] for x in expanded], pool.call("receive", [(box,) for box in inboxes])


class LocalPool:
    """N worker processes on this machine, talking over pipes."""

    def __init__(self, count: int, args: tuple):
        ctx = multiprocessing.get_context("spawn")  # no inherited state, as on a cluster
        self.size, self.where = count, "local processes"
        self.conns, self.procs = [], []
        for me in range(count):
            here, there = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(there, args, me, count), daemon=True)
            proc.start()
            there.close()
            self.conns.append(here)
            self.procs.append(proc)
        for conn in self.conns:
            self._answer(conn)

    def _answer(self, conn):
        try:
            status, value = conn.recv()
        except EOFError:
            raise WorkerFailed("a worker process died (out of memory?)") from None
        if status != "ok":
            raise WorkerFailed(value)
        return value

    def call(self, method: str, args: list[tuple]) -> list:
        for conn, a in zip(self.conns, args, strict=True):
            conn.send((method, a))
        return [self._answer(conn) for conn in self.conns]

    def ask(self, worker: int, method: str, args: tuple):
        self.conns[worker].send((method, args))
        return self._answer(self.conns[worker])

    def exchange(self, b: int, e: int) -> tuple[list, list]:
        return exchange_through(self, b, e)

    def close(self) -> None:
        for conn in self.conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        for proc in self.procs:
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
        self.conns, self.procs = [], []


class RayPool:
    """N Ray actors, in the cluster at `address` ("local": start one on this machine)."""

    def __init__(self, count: int | None, args: tuple, address: str):
        try:
            import ray
        except ImportError:
            raise ClusterUnavailable(
                "--cluster needs Ray: pip install 'ray>=2.9,<3' (from protocheck's checkout: "
                "pip install '.[cluster]')") from None
        from checker.engines.shards import Shard

        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            options = {"include_dashboard": False, "log_to_driver": False,
                       "configure_logging": False}
            try:
                if address == "local":
                    ray.init(num_cpus=count or os.cpu_count(), **options)
                else:
                    ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as err:
                raise ClusterUnavailable(f"cannot reach the Ray cluster at {address}: "
                                         f"{err}") from None
        if count is None:
            count = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.size = count
        self.where = ("a local Ray cluster" if address == "local"
                      else f"the Ray cluster at {address}")
        actor = ray.remote(num_cpus=1)(Shard)
        self.actors = [actor.remote(*args, me, count) for me in range(count)]

    def _get(self, refs):
        try:
            return self.ray.get(refs)
        except self.ray.exceptions.RayError as err:
            raise WorkerFailed(str(err)) from None

    def call(self, method: str, args: list[tuple]) -> list:
        return self._get([getattr(a, method).remote(*x)
                          for a, x in zip(self.actors, args, strict=True)])

    def ask(self, worker: int, method: str, args: tuple):
        return self._get(getattr(self.actors[worker], method).remote(*args))

    def exchange(self, b: int, e: int) -> tuple[list, list]:
        """As exchange_through, but each box goes from its shard to its owner as a Ray
        object reference: the coordinator never holds the successors."""
        n = self.size
        refs = [a.expand_apart.options(num_returns=n + 1).remote(b, e) for a in self.actors]
        missed = self._get([self.actors[v].receive_from.remote(
            *[refs[w][1 + v] for w in range(n) if w != v]) for v in range(n)])
        return self._get([r[0] for r in refs]), missed

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []
        if self.started:
            self.ray.shutdown()


class InlinePool:
    """N shards in this process, one after another: the protocol without processes (for
    tests, which hold it to the same results, and for profiling)."""

    def __init__(self, count: int, args: tuple):
        from checker.engines.shards import Shard

        self.size, self.where = count, "this process"
        self.shards = [Shard(*args, me, count) for me in range(count)]

    def call(self, method: str, args: list[tuple]) -> list:
        return [getattr(s, method)(*a) for s, a in zip(self.shards, args, strict=True)]

    def ask(self, worker: int, method: str, args: tuple):
        return getattr(self.shards[worker], method)(*args)

    def exchange(self, b: int, e: int) -> tuple[list, list]:
        return exchange_through(self, b, e)

    def close(self) -> None:
        self.shards = []


def pool_for(workers: int | None, cluster: str | None):
    """What makes the pool of a partitioned search: `workers` processes here, or, with a
    `cluster` address, that many Ray actors there (None: one per CPU of the cluster)."""
    if cluster is None:
        if workers is None or workers < 1:
            raise ValueError("a local pool needs a number of workers")
        return lambda args: LocalPool(workers, args)
    return lambda args: RayPool(workers, args, cluster)
