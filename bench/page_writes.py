"""The group committer alone (lti_tool/proctor/page_writes.py), without sockets: N violations written at once
from N greenlets under gevent and psycogreen, as one worker's socket handlers would, on a fresh PostgreSQL
database. Prints the time until the last is committed, the groups' sizes and how long each took.

    .venv/bin/python bench/page_writes.py --writes 2000 --runs 3
"""

from gevent import monkey

monkey.patch_all()

from psycogreen.gevent import patch_psycopg  # noqa: E402

patch_psycopg()

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scenario  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.proctor import page_writes  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--writes", type=int, default=2000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    with scenario.fresh_postgres() as url:
        scenario.migrate(url)
        engine = scenario.engine_for(url)
        seeded = scenario.seed_exam(engine, students=args.writes, questions=1, deadline=scenario._now() + timedelta(
            hours=2), started_at=scenario._now())
        engine.dispose()
        app = create_app({"APP_ENV": "test", "DATABASE_URL": url,
                          "TOOL_BASE_URL": "https://tool.example"})
        groups = []
        commit = page_writes.commit

        def timed(group):
            started = time.perf_counter()
            commit(group)
            groups.append((len(group), time.perf_counter() - started))

        page_writes.commit = timed
        pages = [page_writes.Page(a, seeded["exam_id"], seeded["course_id"], u)
                 for a, u in zip(seeded["attempt_ids"], seeded["user_ids"], strict=True)]
        for run in range(1, args.runs + 1):
            groups.clear()
            done = []

            def one(page, n, run=run, done=done):
                with app.app_context():
                    page_writes.write(page_writes.Violation(page, "copy", time.time() * 1000, f"r{run}-{n}", None))
                done.append(time.perf_counter())

            started = time.perf_counter()
            gevent.joinall([gevent.spawn(one, page, n) for n, page in enumerate(pages)])
            waits = sorted(t - started for t in done)
            sizes = [size for size, _ in groups]
            print(f"run {run}: {len(done)} writes committed; last after {1000 * waits[-1]:.0f} ms, p50 "
                  f"{1000 * waits[len(waits) // 2]:.0f} ms; {len(groups)} groups, sizes {sizes[:8]}"
                  f"{'...' if len(sizes) > 8 else ''}; ms per group median "
                  f"{1000 * statistics.median(s for _, s in groups):.1f}, largest group "
                  f"{1000 * max(s for _, s in groups):.1f} ms", flush=True)
        with app.app_context():
            from lti_tool.db import db
            db.engine.dispose()


if __name__ == "__main__":
    main()
