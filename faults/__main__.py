"""Run the fault-injection suite: `python -m faults` (all faults) or `python -m faults --only a,c`.

Each fault runs against real processes on loopback (the tool's gunicorn, a throwaway PostgreSQL cluster and
a throwaway redis-server of its own, a client process), then checks its invariants from the database and
prints, per fault, each invariant with PASS or FAIL and its figures. Exit status 1 if anything failed."""

import argparse
import importlib
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from faults.cluster import PostgresCluster
from faults.processes import raise_open_files_limit
from faults.report import FaultResult

# One module per fault, run in this order.
SCENARIOS = {"a": "worker_kill", "b": "redis_outage", "c": "lms_outage", "d": "postgres_restart",
             "e": "slow_proctor"}
BUDGET_SECONDS = 20 * 60


class Suite:
    """What every scenario shares: a work directory (logs, plans, results) and the PostgreSQL cluster."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.cluster = PostgresCluster(self.workdir)


class OutOfTime(Exception):
    pass


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m faults", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SCENARIOS), help="faults to run, e.g. a,c (default: all)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, plans, results)")
    parser.add_argument("--budget", type=float, default=BUDGET_SECONDS, help="stop everything after this many s")
    args = parser.parse_args(argv)
    keys = [k.strip() for k in args.only.split(",") if k.strip()]
    unknown = [k for k in keys if k not in SCENARIOS]
    if unknown:
        parser.error(f"unknown fault(s) {unknown}; choose from {', '.join(SCENARIOS)}")

    def out_of_time(signum, frame):
        raise OutOfTime(f"the suite ran out of its {args.budget:.0f} s budget")

    def terminated(signum, frame):
        raise SystemExit(f"stopped by signal {signum}")

    signal.signal(signal.SIGALRM, out_of_time)
    signal.signal(signal.SIGTERM, terminated)
    signal.alarm(int(args.budget))
    raise_open_files_limit()
    workdir = Path(tempfile.mkdtemp(prefix="faults-"))
    print(f"[faults] work directory {workdir}", flush=True)
    started = time.monotonic()
    results = []
    suite = None
    stopped = None
    try:
        suite = Suite(workdir)
        print(f"[faults] throwaway PostgreSQL on 127.0.0.1:{suite.cluster.port}", flush=True)
        for key in keys:
            module = importlib.import_module(f"faults.{SCENARIOS[key]}")
            print(f"[faults] {key}. {module.TITLE} ...", flush=True)
            began = time.monotonic()
            try:
                result = module.run(suite)
            except OutOfTime:
                raise
            except Exception as exc:  # noqa: BLE001  (a crashed scenario is a FAIL with its reason)
                traceback.print_exc()
                result = FaultResult(key, module.TITLE, error=f"{type(exc).__name__}: {exc}")
            result.seconds = time.monotonic() - began
            results.append(result)
            print("\n".join(result.lines()), flush=True)
    except (OutOfTime, KeyboardInterrupt, SystemExit) as exc:
        stopped = str(exc) or type(exc).__name__
    finally:
        signal.alarm(0)
        if suite is not None:
            suite.cluster.destroy()
        if args.keep:
            print(f"[faults] kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(f"[faults] summary ({time.monotonic() - started:.0f} s):")
    for result in results:
        print(f"  {result.key}. {'PASS' if result.passed else 'FAIL'}  {result.title} ({result.seconds:.0f} s)")
    if stopped:
        print(f"[faults] stopped early: {stopped}")
    passed = sum(r.passed for r in results)
    print(f"[faults] {'PASS' if passed == len(keys) else 'FAIL'}: {passed} of {len(keys)} faults passed")
    return 0 if passed == len(keys) else 1


if __name__ == "__main__":
    sys.exit(main())
