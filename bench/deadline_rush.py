"""Deadline rush: every attempt of a big exam hits the same deadline at once; how long until the sweeper
has ended them all (status final, graded, grade queued in the outbox)?

On a fresh PostgreSQL database (created here, migrated with the app's Alembic migrations, dropped at the
end) it seeds one course, one exam (20 questions x 4 options), 2,000 students and 2,000 in-progress attempts
whose deadline has passed, each with ~10 saved answers, then runs the real sweeper,
`attempts.finalize_due(grace_seconds=0)`, in a loop until nothing is due:
  (a) in one process, (b) in two processes at once (every gunicorn worker sweeps; FOR UPDATE SKIP LOCKED).
After each run it checks: every attempt final, exactly one outbox row per attempt, scores equal to an
independent re-grading. It measures; it does not assert. Rerun:

    .venv/bin/python bench/deadline_rush.py               # 2,000 attempts, 1 and 2 processes, 3 runs each
    .venv/bin/python bench/deadline_rush.py --procs 2 --interval 1.0   # as gunicorn workers do: 1 s between passes
"""

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402
import sqlalchemy as sa  # noqa: E402


def sweeper(url, barrier, results, index, limit, interval):
    """One sweeping process: the app's own finalize_due, called until a pass finds nothing due."""
    from sqlalchemy import event

    from lti_tool import create_app
    from lti_tool.db import db
    from lti_tool.exam import attempts, lifecycle

    app = create_app({"APP_ENV": "test", "DATABASE_URL": url})
    counts = Counter()
    original = attempts.transition

    def counting_transition(*args, **kwargs):  # bench-only instrumentation: count lost races
        try:
            return original(*args, **kwargs)
        except lifecycle.TransitionLost:
            counts["transition_lost"] += 1
            raise

    attempts.transition = counting_transition
    try:
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", lambda *a, **k: counts.update(["statements"]))
            db.session.execute(sa.text("select 1"))  # connect before the clock starts
            db.session.rollback()
            counts.clear()
            barrier.wait(timeout=60)
            started, cpu_started = time.perf_counter(), time.process_time()
            while True:
                n = attempts.finalize_due(grace_seconds=0, limit=limit)
                counts["passes"] += 1
                counts["finalize_calls"] += n
                if n == 0:
                    break
                if interval:
                    time.sleep(interval)
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            db.session.remove()
            db.engine.dispose()
        results.put({"index": index, "seconds": elapsed, "cpu_s": cpu, **counts})
    except Exception as exc:  # noqa: BLE001  (reported by the parent, never hidden)
        results.put({"index": index, "error": repr(exc)})


def verify(engine, seeded):
    """What the database says after the rush, against an independent re-grading."""
    with engine.connect() as conn:
        statuses = dict(conn.execute(sa.text("select status, count(*) from attempts group by status")).all())
        rows = conn.execute(sa.text("select id, score, max_score, finished_at = deadline from attempts")).all()
        outbox = conn.execute(sa.text("select attempt_id, score_given, score_maximum from grade_outbox")).all()
        audits = dict(conn.execute(sa.text(
            "select action, count(*) from audit_log where action like 'attempt.%' group by action")).all())
    per_attempt = Counter(r.attempt_id for r in outbox)
    wrong_scores = 0
    for r in rows:
        want, want_max = scenario.expected_score(seeded, seeded["answers"][r.id])
        if r.score is None or abs(r.score - want) > 1e-6 or abs((r.max_score or 0) - want_max) > 1e-6 or not r[3]:
            wrong_scores += 1
    by_attempt = {r.id: r.score for r in rows}
    wrong_outbox = sum(1 for o in outbox if by_attempt.get(o.attempt_id) is None
                       or abs(o.score_given - by_attempt[o.attempt_id]) > 1e-6)
    return {
        "statuses": statuses, "outbox_rows": len(outbox), "outbox_attempts": len(per_attempt),
        "outbox_duplicates": sum(c - 1 for c in per_attempt.values() if c > 1),
        "wrong_scores": wrong_scores, "wrong_outbox_scores": wrong_outbox, "audit": audits,
    }


def one_run(url, engine, args, procs):
    scenario.truncate_all(engine)
    now = scenario._now()
    t = time.perf_counter()
    seeded = scenario.seed_exam(engine, students=args.attempts, questions=args.questions, options=args.options,
                              deadline=now - timedelta(minutes=1), started_at=now - timedelta(minutes=61),
                              answers_per_attempt=args.answers, seed=args.seed)
    with engine.begin() as conn:
        conn.execute(sa.text("analyze"))
    seed_s = time.perf_counter() - t
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(procs + 1), ctx.Queue()
    workers = [ctx.Process(target=sweeper, args=(url, barrier, results, i, args.limit, args.interval))
               for i in range(procs)]
    for w in workers:
        w.start()
    try:
        barrier.wait(timeout=120)
        t0, busy0 = time.perf_counter(), scenario.machine_busy_seconds()
        outs = [results.get(timeout=args.run_timeout) for _ in workers]
        wall, busy = time.perf_counter() - t0, scenario.machine_busy_seconds() - busy0
    finally:
        for w in workers:
            w.join(timeout=10)
            if w.is_alive():
                w.terminate()
                w.join(5)
    check = verify(engine, seeded)
    return {"seed_s": seed_s, "wall_s": wall, "workers": outs, "check": check, "busy_s": busy,
            "sweeper_cpu_s": sum(w.get("cpu_s", 0) for w in outs)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--attempts", type=int, default=2000)
    p.add_argument("--questions", type=int, default=20)
    p.add_argument("--options", type=int, default=4)
    p.add_argument("--answers", type=int, default=10, help="saved answers per attempt")
    p.add_argument("--procs", default="1,2", help="comma-separated numbers of sweeping processes")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--limit", type=int, default=200, help="finalize_due(limit=...), the app's default is 200")
    p.add_argument("--interval", type=float, default=0.0,
                   help="sleep between passes (the background job sleeps SWEEP_INTERVAL_SECONDS=1.0)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--run-timeout", type=float, default=240)
    p.add_argument("--budget", type=float, default=900, help="the whole benchmark stops after this many s")
    args = p.parse_args()
    scenario.install_guards(args.budget)
    print(f"[bench] {scenario.machine()}")
    print(f"[bench] command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    table = {}
    with scenario.fresh_postgres() as url:
        scenario.migrate(url)
        engine = scenario.engine_for(url)
        try:
            for procs in [int(x) for x in args.procs.split(",")]:
                for run in range(1, args.runs + 1):
                    r = one_run(url, engine, args, procs)
                    table.setdefault(procs, []).append(r)
                    c = r["check"]
                    per = "; ".join(
                        f"p{w['index']}: {w['error']}" if "error" in w else
                        f"p{w['index']}: {w['seconds']:.2f}s ({w['cpu_s']:.1f} s CPU), {w.get('passes', 0)} passes, "
                        f"{w.get('finalize_calls', 0)} finalize calls, {w.get('transition_lost', 0)} lost races, "
                        f"{w.get('statements', 0)} SQL statements" for w in r["workers"])
                    print(f"[run] procs={procs} run={run}: {r['wall_s']:.2f} s for {args.attempts} attempts "
                          f"({1000 * r['wall_s'] / args.attempts:.2f} ms/attempt; seeding took {r['seed_s']:.1f} s; "
                          f"machine CPU busy {r['busy_s']:.0f} s of {os.cpu_count() * r['wall_s']:.0f}, "
                          f"of which sweepers "
                          f"{r['sweeper_cpu_s']:.0f} s) "
                          f"| {per}", flush=True)
                    print(f"      check: statuses={c['statuses']} outbox_rows={c['outbox_rows']} "
                          f"(attempts with a row: {c['outbox_attempts']}, duplicates: {c['outbox_duplicates']}) "
                          f"wrong_scores={c['wrong_scores']} wrong_outbox_scores={c['wrong_outbox_scores']} "
                          f"audit={c['audit']}", flush=True)
        finally:
            engine.dispose()
    print("\n== deadline rush: time until every attempt is final, graded and queued (median of runs) ==")
    for procs, runs in table.items():
        walls = [r["wall_s"] for r in runs]
        ok = all(r["check"]["statuses"] == {"timed_out": args.attempts} and r["check"]["outbox_rows"] == args.attempts
                 and r["check"]["outbox_duplicates"] == 0 and r["check"]["wrong_scores"] == 0
                 and r["check"]["wrong_outbox_scores"] == 0 for r in runs)
        stmts = [sum(w.get("statements", 0) for w in r["workers"]) / args.attempts for r in runs]
        print(f"{procs} sweeping process(es), {args.attempts} attempts, limit={args.limit}, interval={args.interval}s: "
              f"{scenario.summary(walls)} s; {statistics.median(walls) * 1000 / args.attempts:.2f} ms/attempt; "
              f"~{statistics.median(stmts):.1f} SQL statements/attempt; "
              f"checks {'all passed' if ok else 'FAILED (see runs)'}")
    print("target: the whole rush within 10 s. "
          f"Rerun: .venv/bin/python bench/deadline_rush.py {' '.join(sys.argv[1:])}")


if __name__ == "__main__":
    main()
