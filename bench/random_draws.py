"""Starting attempts with random draws against starting them with fixed questions (issue 14): one course, two
published exams on a fresh PostgreSQL database, served by gunicorn as deployed (one gevent worker):
  fixed: 20 questions x 4 options, every attempt gets all of them;
  draws: a bank of 500 questions x 4 options in one category, each attempt draws 20; the exam's own questions, or
         with --from-bank the course question bank's (lti_tool/bank/), the exam holding none of its own.
Students start attempts one after another (POST /api/exams/<id>/attempts, keep-alive), in rounds that alternate
which exam goes first; the worker's CPU seconds are read from /proc around each batch. Prints, per round, the worker
CPU per start on each exam and their ratio (draws / fixed), then the median ratio. It measures; it does not assert.

    .venv/bin/python bench/random_draws.py                   # 5 rounds of 400 starts per exam: 2,000 each (~2 min)
    .venv/bin/python bench/random_draws.py --rounds 3 --per-round 100
    .venv/bin/python bench/random_draws.py --from-bank       # the pool in the course's question bank
"""

import argparse
import http.client
import json
import secrets
import statistics
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scenario  # noqa: E402
import sqlalchemy as sa  # noqa: E402

DRAWN = 20


def seed(url, *, bank, students, from_bank):
    """The draws exam (the seeded one, its pool in category "Pool", 20 drawn; moved into the course question bank
    when `from_bank`), the fixed exam with its own link, and `students` students; returns (seeded, fixed exam id,
    fixed link id)."""
    engine = scenario.engine_for(url)
    now = scenario._now()
    seeded = scenario.seed_exam(engine, students=0, questions=bank, multi_every=0, deadline=now + timedelta(hours=1),
                                started_at=now)
    exam_m, ident_m, _ = scenario._models()
    with engine.begin() as conn:
        conn.execute(sa.update(exam_m.Question.__table__).where(exam_m.Question.__table__.c.exam_id
                                                                == seeded["exam_id"]).values(category="Pool", points=1))
        if from_bank:
            conn.execute(sa.update(exam_m.Question.__table__).where(
                exam_m.Question.__table__.c.exam_id == seeded["exam_id"]).values(
                exam_id=None, bank_course_id=seeded["course_id"]))
        conn.execute(sa.insert(exam_m.Draw.__table__), [dict(exam_id=seeded["exam_id"], category="Pool",
                                                             count=DRAWN)])
        [fixed_id] = scenario._insert(conn, exam_m.Exam.__table__, [dict(
            course_id=seeded["course_id"], title="Fixed exam", instructions="", duration_minutes=60,
            shuffle_questions=False, shuffle_options=False, attempts_allowed=1, partial_credit=False,
            published_at=now)])
        [fixed_link] = scenario._insert(conn, ident_m.ResourceLink.__table__, [dict(
            course_id=seeded["course_id"], lti_id="bench-fixed-link", title="Fixed exam", exam_id=fixed_id)])
        question_ids = scenario._insert(conn, exam_m.Question.__table__, [dict(
            exam_id=fixed_id, position=i, kind="single", text=f"Question {i + 1}?", points=1)
            for i in range(DRAWN)])
        scenario._insert(conn, exam_m.Option.__table__, [dict(
            question_id=qid, position=j, text=f"Option {j + 1}", is_correct=j == 0)
            for qid in question_ids for j in range(4)])
        user_ids = scenario._insert(conn, ident_m.User.__table__, [dict(
            platform_id=seeded["platform_id"], sub=f"student-{i}", name=f"Student {i}") for i in range(students)])
        scenario._insert(conn, ident_m.Membership.__table__, [dict(
            user_id=u, course_id=seeded["course_id"], roles=["student"], lti_roles=[scenario.LEARNER])
            for u in user_ids])
    seeded["user_ids"] = user_ids
    return seeded, fixed_id, fixed_link


def start_all(server, tokens, exam_id):
    """Start an attempt for each token, one after another on one keep-alive connection; the worker's CPU seconds."""
    [worker] = server.workers()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    before = scenario.cpu_seconds(worker)
    for token in tokens:
        conn.request("POST", f"/api/exams/{exam_id}/attempts", b"{}",
                     {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        response = conn.getresponse()
        answer = response.read()
        if response.status != 200 or len(json.loads(answer)["questions"]) != DRAWN:
            raise RuntimeError(f"start answered {response.status}: {answer[:300]!r}")
    spent = scenario.cpu_seconds(worker) - before
    conn.close()
    return spent


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=400)
    parser.add_argument("--bank", type=int, default=500)
    parser.add_argument("--budget", type=float, default=900)
    parser.add_argument("--from-bank", action="store_true", help="the pool in the course's question bank")
    args = parser.parse_args()
    scenario.install_guards(args.budget)
    secret = secrets.token_urlsafe(32)
    students = 2 * args.rounds * args.per_round
    with scenario.fresh_postgres() as url, tempfile.TemporaryDirectory() as workdir:
        scenario.migrate(url)
        seeded, fixed_id, fixed_link = seed(url, bank=args.bank, students=students, from_bank=args.from_bank)
        server = scenario.Server(url, 1, secret, workdir)
        try:
            def tokens(users, link_id):
                return [scenario.launch_token({**seeded, "link_id": link_id}, u, secret=secret, issuer=server.base)
                        for u in users]

            warm = tokens(seeded["user_ids"][:2], seeded["link_id"])
            start_all(server, warm[:1], seeded["exam_id"])  # imports and connections, outside the figures
            ratios = []
            users = iter(seeded["user_ids"][2:] + seeded["user_ids"][:2])
            for round_ in range(args.rounds):
                batch = [next(users) for _ in range(2 * args.per_round)]
                exams = [("draws", seeded["exam_id"], seeded["link_id"]), ("fixed", fixed_id, fixed_link)]
                spent = {}
                for name, exam_id, link_id in exams if round_ % 2 == 0 else exams[::-1]:
                    people, batch = batch[:args.per_round], batch[args.per_round:]
                    spent[name] = start_all(server, tokens(people, link_id), exam_id) / args.per_round
                ratios.append(spent["draws"] / spent["fixed"])
                where = "the bank's" if args.from_bank else "the exam's"
                print(f"round {round_ + 1}: worker CPU per start: draws (20 of {where} {args.bank}) "
                      f"{spent['draws'] * 1000:.2f} ms, fixed (20) {spent['fixed'] * 1000:.2f} ms, "
                      f"ratio {ratios[-1]:.2f}", flush=True)
            print(f"median ratio draws / fixed over {args.rounds} rounds of {args.per_round} starts each: "
                  f"{statistics.median(ratios):.2f} (min {min(ratios):.2f}, max {max(ratios):.2f})", flush=True)
            errors = server.error_lines()
            if errors:
                print(f"gunicorn logged {len(errors)} error lines, the first: {errors[0]}", flush=True)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
