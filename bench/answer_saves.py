"""Answer saves under load: the real server (gunicorn + gevent, configs/gunicorn.conf.py, wsgi:app) on a
fresh PostgreSQL database, with 1 and then 2 workers, and a separate load-client process
(bench/save_client.py) in which each of 300 students saves answers over its own keep-alive connection.

Loads: `closed` (every student saves back to back: the most the server does) and paced runs in which
the students together offer a fixed rate (1,000 saves/s, the issue's target; 100 saves/s, a light load).
After each run it checks that every acknowledged save is in the database (the last acknowledged choice
per attempt and question). It measures; it does not assert. Client, server and PostgreSQL share the
machine's cores. Rerun:

    .venv/bin/python bench/answer_saves.py                           # PostgreSQL, 1 and 2 workers, 3 runs
    .venv/bin/python bench/answer_saves.py --db sqlite --workers 1 --runs 1   # SQLite, for contrast
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402
import sqlalchemy as sa  # noqa: E402

ROOT = scenario.ROOT


def make_plan(seeded, secret, server, workdir, ttl=3600):
    students = []
    for user_id, attempt_id in zip(seeded["user_ids"], seeded["attempt_ids"], strict=False):
        students.append({
            "attempt": attempt_id,
            "token": scenario.launch_token(seeded, user_id, secret=secret, issuer=server.base, ttl=ttl),
            "questions": {str(q): seeded["options_of"][q] for q in seeded["question_ids"]},
            "kinds": {str(q): seeded["kind_of"][q] for q in seeded["question_ids"]},
        })
    path = Path(workdir) / f"plan-{server.port}.json"
    path.write_text(json.dumps({"host": "127.0.0.1", "port": server.port, "students": students}))
    return path


def run_client(plan, workdir, duration, rate, timeout, healthz=False):
    out = Path(workdir) / f"result-{time.monotonic_ns()}.json"
    subprocess.run([sys.executable, str(Path(__file__).with_name("save_client.py")), "--plan", str(plan),
                    "--out", str(out), "--duration", str(duration), "--rate", str(rate), "--timeout", str(timeout),
                    *(["--healthz"] if healthz else [])],
                   check=True, timeout=duration + 60 + timeout)
    return json.loads(out.read_text())


def reset_answers(engine):
    with engine.begin() as conn:
        conn.execute(sa.text("delete from answers"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("vacuum analyze answers, attempts"))


def verify(engine, result):
    """Every acknowledged save in the database: the last acknowledged choice per (attempt, question)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select attempt_id, question_id, option_ids from answers")).all()
    stored = {f"{a}:{q}": (json.loads(o) if isinstance(o, str) else o) for a, q, o in rows}
    ambiguous = set(result["ambiguous"])
    missing = [k for k in result["acked"] if k not in stored]
    differing = [k for k, v in result["acked"].items() if k in stored and k not in ambiguous and stored[k] != v]
    return {"answer_rows": len(stored), "acked_keys": len(result["acked"]), "missing": len(missing),
            "differing": len(differing), "ambiguous": len(ambiguous),
            "unexpected_rows": len(set(stored) - set(result["acked"]) - ambiguous)}


def measure(server, engine, plan, workdir, duration, rate, timeout, healthz=False):
    reset_answers(engine)
    loadavg_before = open("/proc/loadavg").read().split()[0]
    busy_before = scenario.machine_busy_seconds()
    before = {pid: scenario.cpu_seconds(pid) for pid in server.workers()}
    pg_before = {pid: scenario.cpu_seconds(pid) for pid in scenario.pg_backends(engine)}
    result = run_client(plan, workdir, duration, rate, timeout, healthz)
    server_cpu = sum(scenario.cpu_seconds(pid) - before.get(pid, 0.0) for pid in server.workers())
    pg_cpu = sum(scenario.cpu_seconds(pid) - pg_before.get(pid, 0.0) for pid in scenario.pg_backends(engine))
    result["others_cpu_s"] = max(0.0, scenario.machine_busy_seconds() - busy_before - server_cpu - pg_cpu
                                 - result["client_cpu_s"])
    result["check"] = verify(engine, result)
    result["loadavg"] = f"{loadavg_before}-{open('/proc/loadavg').read().split()[0]}"
    result["server_cpu_s"], result["pg_cpu_s"] = server_cpu, pg_cpu
    return result


def line(label, r):
    c = r["check"]
    return (f"[run] {label} (load avg {r['loadavg']}): {r['saves_per_s']:.0f}/s "
            f"({r['ok']} ok in {r['seconds']:.1f} s), "
            f"p50 {r['p50_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.0f} ms, "
            f"errors {r['errors'] or 0}, stale keep-alive retried {r['stale_reconnects']} | CPU s: client "
            f"{r['client_cpu_s']:.1f}, gunicorn workers {r['server_cpu_s']:.1f} "
            f"({1000 * r['server_cpu_s'] / max(1, r['ok']):.1f} ms/request), postgres {r['pg_cpu_s']:.1f}, "
            f"other processes on the machine {r['others_cpu_s']:.1f} | check: {c['answer_rows']} rows for "
            f"{c['acked_keys']} acked keys, missing {c['missing']}, differing {c['differing']}, "
            f"ambiguous {c['ambiguous']}, unexpected {c['unexpected_rows']}"
            + (f" | samples {r['error_samples']}" if r["error_samples"] else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    p.add_argument("--students", type=int, default=300)
    p.add_argument("--workers", default="1,2", help="comma-separated WEB_CONCURRENCY values")
    p.add_argument("--loads", default="closed,1000,100",
                   help="comma-separated loads: 'closed' (back to back), an offered rate in saves/s (paced), or "
                     "'healthz' (GET /healthz back to back: the server's ceiling without the database, a baseline)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--duration", type=float, default=10, help="seconds per run")
    p.add_argument("--timeout", type=float, default=20, help="per request (the exam page's timeout is 20 s)")
    p.add_argument("--budget", type=float, default=600, help="the whole benchmark stops after this many s")
    args = p.parse_args()
    scenario.install_guards(args.budget)
    print(f"[bench] {scenario.machine()}; client, gunicorn and PostgreSQL share these cores")
    print(f"[bench] command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    secret = "bench-" + secrets.token_hex(24)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-saves-") as workdir:
        if args.db == "postgres":
            database = scenario.fresh_postgres()
        else:
            database = _sqlite(workdir)
        with database as url:
            scenario.migrate(url)
            engine = scenario.engine_for(url)
            now = scenario._now()
            seeded = scenario.seed_exam(engine, students=args.students, deadline=now + timedelta(hours=6),
                                      started_at=now, answers_per_attempt=0)
            try:
                for workers in [int(x) for x in args.workers.split(",")]:
                    server = scenario.Server(url, workers, secret, workdir)
                    try:
                        plan = make_plan(seeded, secret, server, workdir)
                        warm = run_client(plan, workdir, 3, 0, args.timeout)
                        print(f"[bench] {args.db}, {workers} worker(s) on port {server.port}: warm-up "
                              f"{warm['saves_per_s']:.0f} saves/s, errors {warm['errors'] or 0}", flush=True)
                        for load in args.loads.split(","):
                            rate = 0 if load in ("closed", "healthz") else float(load)
                            label = "healthz" if load == "healthz" else f"paced @{rate:.0f}/s" if rate else "closed"
                            for run in range(1, args.runs + 1):
                                r = measure(server, engine, plan, workdir, args.duration, rate, args.timeout,
                                            healthz=load == "healthz")
                                results.setdefault((workers, label), []).append(r)
                                print(line(f"{args.db} workers={workers} {label} run={run}", r), flush=True)
                    finally:
                        server.stop()
                        tail = server.error_lines()
                        if tail:
                            print(f"[bench] server log had {len(tail)} error lines, e.g. {tail[:3]}")
            finally:
                engine.dispose()
    print(f"\n== answer saves on {args.db}: {args.students} students, keep-alive, medians of {args.runs} runs "
          f"(client + server + database on the same {os.cpu_count()} cores) ==")
    for (workers, label), runs in results.items():
        checks = [r["check"] for r in runs]
        lost = sum(c["missing"] + c["differing"] for c in checks)
        errs = sum(sum(r["errors"].values()) for r in runs)
        print(f"workers={workers} {label}: "
              f"req/s {scenario.summary([r['saves_per_s'] for r in runs])}; "
              f"p50 ms {scenario.summary([r['p50_ms'] for r in runs])}; "
              f"p99 ms {scenario.summary([r['p99_ms'] for r in runs])}; "
              f"errors {errs}; acknowledged saves missing/differing in DB: {lost}; "
              f"CPU s/run client {statistics.median(r['client_cpu_s'] for r in runs):.1f}, "
              f"gunicorn {statistics.median(r['server_cpu_s'] for r in runs):.1f}, "
              f"postgres {statistics.median(r['pg_cpu_s'] for r in runs):.1f}; gunicorn CPU ms/request "
              f"{statistics.median(1000 * r['server_cpu_s'] / max(1, r['ok']) for r in runs):.1f}; "
              f"other processes' CPU s/run {statistics.median(r['others_cpu_s'] for r in runs):.1f}")
    print(f"targets: >= 1,000 saves/s with p99 <= 50 ms on PostgreSQL. "
          f"Rerun: .venv/bin/python bench/answer_saves.py {' '.join(sys.argv[1:])}")


class _sqlite:
    def __init__(self, workdir):
        self.url = f"sqlite:///{workdir}/bench.sqlite3"

    def __enter__(self):
        return self.url

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
