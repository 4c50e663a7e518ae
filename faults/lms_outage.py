"""c. The LMS's AGS and token endpoints failing (503 and timeouts) for 10 minutes of simulated time.

The grade sender (lti_tool/launch/passback.py, through the outbox) runs in this process, as two senders at
once (two app instances, like two workers: each its own token cache, one database), every 2 simulated
seconds, against the test LTI platform (tests/lti_platform.py) over loopback HTTP. Time is simulated: the
sender and the outbox take `now` from the scenario's clock, which jumps ahead when nothing is due; the
HTTP calls and their timeouts are real. Every grade is queued during the outage, by the one finalize path:
each student's first attempt is submitted at +5 s and a second attempt at +300 s; the exam is graded by
the last attempt, so a second attempt whose score differs is a second grade. The outage, 600 s:
- 0-200 s: the token endpoint answers 503 or times out (and so no score is tried);
- 200-400 s: tokens are issued, the score endpoint answers 503 or times out;
- 400-600 s: the platform forgets its tokens (401) and the token endpoint fails again.
Then the platform is healthy and the clock runs until every row is settled (at most the backoff cap, 30 min).
Invariants: every grade is delivered after the recovery, each exactly once, and in order per student (the
sequence each student's gradebook received is the outbox's, timestamps strictly increasing)."""

import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa

from faults import exam_day
from faults.cluster import engine_for
from faults.report import FaultResult, secs

KEY = "c"
TITLE = "the LMS's AGS and token endpoints failing (503 and timeouts) for 10 minutes of simulated time"
OUTAGE = 600
FIRST_AT, SECOND_AT = 5, 300
TICK = 2.0  # PASSBACK_INTERVAL_SECONDS
HTTP_TIMEOUT = 0.25  # real seconds the sender waits for the LMS (OUTBOUND_HTTP_TIMEOUT), kept short to run fast
FAILURES = [503, "timeout", 503]  # what a failing endpoint answers, in turn
SETTLE_LIMIT = OUTAGE + 1800 + 120  # the backoff is capped at 30 min: everything is settled by then


def run(suite, students=40):
    from lti_tool import create_app
    from tests.lti_platform import CLIENT_ID, TestPlatform

    result = FaultResult(KEY, TITLE)
    url = suite.cluster.fresh_database()
    engine = engine_for(url)
    platform = TestPlatform().start()
    config = {"APP_ENV": "test", "DATABASE_URL": url, "TOOL_BASE_URL": "http://127.0.0.1/faults",
              "OUTBOUND_HTTP_TIMEOUT": HTTP_TIMEOUT, "PASSBACK_BACKOFF_SECONDS": 5.0, "LOG_LEVEL": "WARNING"}
    senders = [create_app(config), create_app(config)]
    pool = ThreadPoolExecutor(max_workers=len(senders))
    began = time.monotonic()
    try:
        day = exam_day.seed(engine, students=students, deadlines=exam_day.in_seconds(3 * 3600), attempts_allowed=2,
                            lineitem_url=platform.lineitem_url(1), platform=dict(
                                name="Test platform", issuer=platform.issuer, client_id=CLIENT_ID,
                                auth_login_url=platform.auth_url, token_url=platform.token_url,
                                jwks_url=platform.jwks_url))
        with engine.begin() as conn:
            # Graded by the last attempt: every second attempt that changes a student's grade is a second score.
            conn.execute(sa.text("update exams set grading_method = 'last'"))
        with senders[0].app_context():
            from lti_tool.launch import keys

            platform.tool_jwks = keys.jwks()
        t0 = exam_day.utcnow().replace(microsecond=0)
        clock = Clock(t0, platform)
        _answer(engine, day, day["attempt_ids"], seed_value=1)
        second = _second_attempts(engine, day, t0 + timedelta(seconds=SECOND_AT - 60))
        _answer(engine, day, second, seed_value=2)
        finalize_at = {t0 + timedelta(seconds=FIRST_AT + i * 0.5): a for i, a in enumerate(day["attempt_ids"])}
        finalize_at |= {t0 + timedelta(seconds=SECOND_AT + i * 0.5): a for i, a in enumerate(second)}
        counts = {"claimed": 0, "sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
        delivered_in_outage = 0
        while clock.elapsed() <= SETTLE_LIMIT:
            clock.apply_phase()
            for when in sorted(w for w in finalize_at if w <= clock.now):
                _submit(senders[0], finalize_at.pop(when), when)
            runs = [pool.submit(_send, app, clock.now) for app in senders]
            for run_counts in (r.result(timeout=120) for r in runs):
                for name, value in run_counts.items():
                    counts[name] += value
            if clock.elapsed() < OUTAGE:
                delivered_in_outage = len(platform.scores)
            pending, next_due = _pending(engine)
            if clock.elapsed() > OUTAGE and not pending and not finalize_at:
                break
            clock.advance(next_due, min(finalize_at, default=None))
        platform.release.set()
        _check(result, engine, day, platform, clock, counts, delivered_in_outage, students)
        result.note(f"{students} students x 2 attempts; two senders every {TICK:.0f} simulated s; "
                    f"{clock.elapsed() / 60:.1f} simulated min in {time.monotonic() - began:.0f} real s; "
                    f"HTTP timeout {HTTP_TIMEOUT} s; platform saw {platform.token_requests} token requests and "
                    f"{sum(1 for m, p in platform.requests if m == 'POST' and p.endswith('/scores'))} score posts; "
                    f"sender runs counted {counts}")
    finally:
        platform.release.set()
        pool.shutdown(wait=True)
        platform.stop()
        for app in senders:
            with app.app_context():
                from lti_tool.db import db

                db.engine.dispose()
        engine.dispose()
    return result


class Clock:
    """The scenario's simulated time, and the platform's health as a function of it."""

    def __init__(self, t0, platform):
        self.t0 = t0
        self.now = t0
        self.platform = platform
        self.boundaries = [t0 + timedelta(seconds=s) for s in (0, 200, 400, OUTAGE)]
        self._revoked = False

    def elapsed(self):
        return (self.now - self.t0).total_seconds()

    def apply_phase(self):
        s, p = self.elapsed(), self.platform
        token_fails = 0 <= s < 200 or 400 <= s < OUTAGE
        scores_fail = 200 <= s < 400
        if 400 <= s < OUTAGE and not self._revoked:
            p.revoke_tokens()
            self._revoked = True
        p.fail_token[:] = FAILURES * 20 if token_fails else []
        p.fail_scores[:] = FAILURES * 20 if scores_fail else []
        if s < OUTAGE:
            p.release.clear()  # a "timeout" is held past the sender's patience
        else:
            p.release.set()

    def advance(self, next_due, next_finalize):
        """One tick, or straight to the next moment anything is due (never past a phase boundary)."""
        step = self.now + timedelta(seconds=TICK)
        candidates = [t for t in (next_due, next_finalize, *self.boundaries) if t is not None and t > self.now]
        soonest = min(candidates, default=step)
        self.now = max(step, soonest) if soonest > step else step


def _send(app, now):
    from lti_tool.db import db
    from lti_tool.launch import passback

    with app.app_context():
        try:
            return passback.send_due(now=now)
        finally:
            db.session.remove()


def _submit(app, attempt_id, when):
    from lti_tool.db import db
    from lti_tool.exam import attempts
    from lti_tool.exam.lifecycle import Status
    from lti_tool.exam.models import Attempt

    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        attempts.finalize(attempt, Status.SUBMITTED, actor_user_id=attempt.user_id, origin="faults", now=when)
        db.session.remove()


def _pending(engine):
    with engine.connect() as conn:
        pending, due = conn.execute(sa.text(
            "select count(*), min(next_try_at) from grade_outbox where status = 'pending'")).one()
    return pending, due


def _second_attempts(engine, day, started_at):
    """Each student's attempt number 2, in progress."""
    with engine.begin() as conn:
        rows = conn.execute(sa.text("select user_id, resource_link_id, question_order, option_order, exam_id "
                                    "from attempts where exam_id = :e order by id"), {"e": day["exam_id"]}).all()
        ids = []
        for user_id, link_id, order, options, exam_id in rows:
            ids.append(conn.execute(sa.text(
                "insert into attempts (exam_id, user_id, resource_link_id, number, status, started_at, deadline,"
                " check_at, question_order, option_order, position) values (:e, :u, :l, 2, 'in_progress', :s,"
                " :d, :d, cast(:q as json), cast(:o as json), 0) returning id"),
                {"e": exam_id, "u": user_id, "l": link_id, "s": started_at, "d": started_at + timedelta(hours=3),
                 "q": _json(order), "o": _json(options)}).scalar_one())
    return ids


def _json(value):
    return json.dumps(value)


def _answer(engine, day, attempt_ids, seed_value):
    """Random choices for every question of these attempts, so the scores differ."""
    rng = random.Random(seed_value)
    rows = []
    for attempt_id in attempt_ids:
        for qid in day["question_ids"]:
            options = day["options_of"][qid]
            chosen = sorted(rng.sample(options, 2 if day["kinds"][qid] == "multi" else 1))
            rows.append({"a": attempt_id, "q": qid, "o": _json(chosen), "t": exam_day.utcnow()})
    with engine.begin() as conn:
        conn.execute(sa.text("insert into answers (attempt_id, question_id, option_ids, flagged, saved_at) "
                             "values (:a, :q, cast(:o as json), false, :t)"), rows)


def _check(result, engine, day, platform, clock, counts, delivered_in_outage, students):
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "select o.id, u.sub, o.score_given, o.timestamp, o.status, o.tries, o.sent_at, a.number "
            "from grade_outbox o join users u on u.id = o.user_id join attempts a on a.id = o.attempt_id "
            "order by o.id")).all()
    received = list(platform.scores)  # every sender has returned
    statuses = {}
    for row in rows:
        statuses[row.status] = statuses.get(row.status, 0) + 1
    recovery = clock.t0 + timedelta(seconds=OUTAGE)
    last_sent = max((r.sent_at for r in rows if r.sent_at), default=None)
    wanted = _grades_by_last_attempt(engine)
    result.check(
        "every grade is delivered after the recovery",
        len(rows) == wanted and statuses.get("sent") == len(rows) and delivered_in_outage == 0
        and all(r.sent_at >= recovery for r in rows if r.sent_at),
        f"{len(rows)} grades queued during the outage ({wanted} wanted); outbox {statuses}; received during the outage "
        f"{delivered_in_outage}; all sent by {secs((last_sent - recovery).total_seconds() if last_sent else None)} "
        f"(simulated) after the recovery; tries per grade up to {max((r.tries for r in rows), default=0)}")
    expected = {}
    for row in rows:
        expected.setdefault(row.sub, []).append((row.timestamp.isoformat(), row.score_given, row.number))
    got = {}
    for score in received:
        got.setdefault(score["userId"], []).append((score["timestamp"], score["scoreGiven"]))
    pairs = [(s["userId"], s["timestamp"]) for s in received]
    duplicates = len(pairs) - len(set(pairs))
    missing = sum(1 for sub in expected if len(got.get(sub, [])) < len(expected[sub]))
    result.check(
        "each grade exactly once",
        duplicates == 0 and len(received) == len(rows) and missing == 0,
        f"{len(received)} scores received for {len(rows)} grades; duplicates (same student and timestamp): "
        f"{duplicates}; students missing a grade: {missing}")
    out_of_order = 0
    for sub, sequence in expected.items():
        want = [(stamp, score) for stamp, score, _ in sequence]
        have = [(stamp, score) for stamp, score in got.get(sub, [])]
        stamps = [stamp for stamp, _ in have]
        if have != want or any(b <= a for a, b in zip(stamps, stamps[1:], strict=False)):
            out_of_order += 1
    result.check(
        "in order per student (attempt 1's grade before attempt 2's, timestamps strictly increasing)",
        out_of_order == 0 and len(got) == students,
        f"{len(got)} students' gradebooks; received sequence differing from the outbox's or not strictly "
        f"increasing: {out_of_order}")


def _grades_by_last_attempt(engine):
    """How many scores the gradebook should get: each student's first grade, and a second one when the second
    attempt's score differs from the first (a grade that comes out the same is not sent again)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("select user_id, score from attempts where finished_at is not null "
                                    "order by user_id, number")).all()
    scores = {}
    for user_id, score in rows:
        scores.setdefault(user_id, []).append(score)
    return sum(1 + sum(1 for a, b in zip(found, found[1:], strict=False) if a != b) for found in scores.values())
