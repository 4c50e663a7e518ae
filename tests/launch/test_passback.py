"""The grade sender: outbox rows delivered to the test platform's gradebook, retried, refused, in order."""

import threading
from datetime import timedelta

import pytest

from lti_tool.db import db, utcnow
from lti_tool.exam import outbox
from lti_tool.exam.models import Attempt, GradeOutbox
from lti_tool.launch import ags, passback
from tests.launch.test_ags import launch, queue_score

SCORE = {"activityProgress": "Completed", "gradingProgress": "FullyGraded"}


@pytest.fixture
def gradebook(client, lti):
    """The test platform, trusting the tool's keys for its token endpoint."""
    lti.platform.tool_jwks = client.get("/lti/jwks").json
    return lti.platform


@pytest.fixture
def t0():
    return utcnow().replace(microsecond=0)


def row_of(row_id):
    db.session.expire_all()
    return db.session.get(GradeOutbox, row_id)


def delivered(platform):
    return [(s["userId"], s["scoreGiven"]) for s in platform.scores]


def test_a_queued_score_is_delivered_with_exact_fields(gradebook, lti, t0):
    user, link = launch(lti)
    row = queue_score(user, link, score=8, max_score=10, finished_at=t0 - timedelta(seconds=3), now=t0)
    assert passback.send_due(now=t0) == {"claimed": 1, "sent": 1, "retrying": 0, "failed": 0, "skipped": 0}
    stamp = (t0 - timedelta(seconds=3)).isoformat()
    assert gradebook.scores == [{"line_item": 1, "userId": "user-1", "scoreGiven": 8, "scoreMaximum": 10,
                                 "timestamp": stamp, **SCORE}]
    row = row_of(row.id)
    assert (row.status, row.tries, row.sent_at, row.last_error, row.claimed_until) == ("sent", 1, t0, None, None)
    assert passback.send_due(now=t0 + timedelta(hours=1))["claimed"] == 0
    assert len(gradebook.scores) == 1


def test_one_token_for_many_scores_and_a_new_one_after_it_expires(gradebook, lti, t0):
    gradebook.token_expires_in = 300
    students = [launch(lti, sub=f"user-{n}") for n in range(5)]
    for n, (user, link) in enumerate(students):
        queue_score(user, link, score=n, finished_at=t0, now=t0)
    assert passback.send_due(now=t0)["sent"] == 5
    assert gradebook.token_requests == 1
    later = t0 + timedelta(seconds=200)  # within 300 - 60 seconds: the same token
    queue_score(*students[0], score=9, finished_at=later, now=later)
    passback.send_due(now=later)
    assert gradebook.token_requests == 1
    expired = t0 + timedelta(seconds=241)
    queue_score(*students[1], score=9, finished_at=expired, now=expired)
    queue_score(*students[2], score=9, finished_at=expired, now=expired)
    assert passback.send_due(now=expired)["sent"] == 2
    assert gradebook.token_requests == 2
    assert len(gradebook.scores) == 8


def test_503_then_success_delivers_once_with_tries_counted_and_backoff(gradebook, lti, t0):
    user, link = launch(lti)
    row = queue_score(user, link, score=5, finished_at=t0, now=t0)
    gradebook.fail_scores = [503, 503]
    assert passback.send_due(now=t0)["retrying"] == 1
    first = row_of(row.id)
    assert (first.status, first.tries) == ("pending", 1)
    assert "HTTP 503" in first.last_error and "injected failure 503" in first.last_error
    assert t0 + timedelta(seconds=2.5) <= first.next_try_at <= t0 + timedelta(seconds=7.5)
    assert passback.send_due(now=t0 + timedelta(seconds=2))["claimed"] == 0  # not due yet
    second_try = first.next_try_at
    assert passback.send_due(now=second_try)["retrying"] == 1
    second = row_of(row.id)
    assert second.tries == 2
    assert second_try + timedelta(seconds=5) <= second.next_try_at <= second_try + timedelta(seconds=15)
    assert passback.send_due(now=second.next_try_at)["sent"] == 1
    done = row_of(row.id)
    assert (done.status, done.tries, done.last_error) == ("sent", 3, None)
    assert delivered(gradebook) == [("user-1", 5)]


def test_the_backoff_starts_from_the_configured_base(app, gradebook, lti, t0):
    app.config["PASSBACK_BACKOFF_SECONDS"] = 1
    user, link = launch(lti)
    row = queue_score(user, link, score=5, finished_at=t0, now=t0)
    gradebook.fail_scores = [503]
    assert passback.send_due(now=t0)["retrying"] == 1
    waiting = row_of(row.id)
    assert t0 + timedelta(seconds=0.5) <= waiting.next_try_at <= t0 + timedelta(seconds=1.5)
    assert passback.send_due(now=waiting.next_try_at)["sent"] == 1


def test_a_timeout_is_retried(app, gradebook, lti, t0):
    app.config["OUTBOUND_HTTP_TIMEOUT"] = 0.3
    user, link = launch(lti)
    row = queue_score(user, link, score=5, finished_at=t0, now=t0)
    gradebook.fail_scores = ["timeout"]
    assert passback.send_due(now=t0)["retrying"] == 1
    gradebook.release.set()  # the platform's handler may finish now; the tool has long given up
    waiting = row_of(row.id)
    assert "did not answer in time" in waiting.last_error
    assert passback.send_due(now=waiting.next_try_at)["sent"] == 1
    assert delivered(gradebook) == [("user-1", 5)]
    assert row_of(row.id).tries == 2


def test_a_4xx_fails_the_row_with_the_lms_message(gradebook, lti, t0):
    user, link = launch(lti)
    row = queue_score(user, link, score=5, finished_at=t0, now=t0)
    # The gradebook already holds a later score for this student (e.g. typed in by the teacher's LMS).
    gradebook.score_times[(1, "user-1")] = int(t0.timestamp()) + 60
    assert passback.send_due(now=t0)["failed"] == 1
    failed = row_of(row.id)
    assert failed.status == "failed" and failed.tries == 1
    assert "HTTP 400" in failed.last_error
    assert "Refusing score with an earlier timestamp for item 1 and user user-1" in failed.last_error
    assert passback.send_due(now=t0 + timedelta(days=1))["claimed"] == 0
    assert gradebook.scores == []


def test_two_scores_of_one_student_go_in_order_and_the_newer_waits(gradebook, lti, t0):
    user, link = launch(lti)
    older = queue_score(user, link, score=1, finished_at=t0, now=t0)
    newer = queue_score(user, link, score=2, finished_at=t0 + timedelta(seconds=30), now=t0)
    gradebook.fail_scores = [503]
    assert passback.send_due(now=t0) == {"claimed": 1, "sent": 0, "retrying": 1, "failed": 0, "skipped": 0}
    assert row_of(newer.id).tries == 0  # never tried while the older one backs off
    assert passback.send_due(now=t0 + timedelta(seconds=2))["claimed"] == 0
    due = row_of(older.id).next_try_at
    assert passback.send_due(now=due)["sent"] == 1
    assert passback.send_due(now=due)["sent"] == 1
    assert delivered(gradebook) == [("user-1", 1), ("user-1", 2)]
    assert [row_of(r.id).status for r in (older, newer)] == ["sent", "sent"]


def test_timestamps_strictly_increase_for_attempts_finished_in_one_second(gradebook, lti, t0):
    user, link = launch(lti)
    same = t0 - timedelta(microseconds=1)  # both finish at ...:59.999999
    rows = [queue_score(user, link, score=s, finished_at=same, now=t0) for s in (3, 4)]
    for _ in rows:
        passback.send_due(now=t0)
    assert delivered(gradebook) == [("user-1", 3), ("user-1", 4)]
    stamps = [s["timestamp"] for s in gradebook.scores]
    second = same.replace(microsecond=0)
    assert stamps == [second.isoformat(), (second + timedelta(seconds=1)).isoformat()]


def test_a_line_item_is_made_for_a_link_without_one_and_reused(gradebook, lti, t0):
    claim = gradebook.ags_claim(lineitem=None, lineitems=True, scopes=("score", "lineitem"))
    first, link = launch(lti, link_id="link-2", ags_claim=claim)
    second, _ = launch(lti, sub="user-2", link_id="link-2", ags_claim=claim)
    row = queue_score(first, link, score=7, max_score=12, finished_at=t0, now=t0, title="Quiz 3")
    passback.send_due(now=t0)
    exam_id = db.session.get(Attempt, row.attempt_id).exam_id
    assert gradebook.line_items[2] == {"id": gradebook.lineitem_url(2), "label": "Quiz 3", "scoreMaximum": 12,
                                       "resourceId": f"exam-{exam_id}", "resourceLinkId": "link-2"}
    queue_score(second, link, score=9, max_score=12, finished_at=t0, now=t0, title="Quiz 3")
    passback.send_due(now=t0)
    assert [(s["line_item"], s["userId"]) for s in gradebook.scores] == [(2, "user-1"), (2, "user-2")]
    assert [r for r in gradebook.requests if r[1].startswith("/lineitems?")] == [
        ("GET", "/lineitems?resource_link_id=link-2")]
    assert sum(1 for r in gradebook.requests if r == ("POST", "/lineitems")) == 1


def test_rows_without_a_gradebook_fail_with_a_clear_message(gradebook, lti, t0):
    user, no_ags = launch(lti, link_id="link-3", ags_claim=None)
    without_ags = queue_score(user, no_ags, score=1, finished_at=t0, now=t0)
    without_link = queue_score(user, None, score=1, finished_at=t0, now=t0, title="Unlinked")
    assert passback.send_due(now=t0)["failed"] == 2
    assert row_of(without_ags.id).last_error == ags.NO_AGS_MESSAGE
    assert row_of(without_link.id).last_error == passback.LINK_GONE_MESSAGE
    assert gradebook.token_requests == 0


def test_a_claimed_row_is_not_sent_by_a_second_sender(gradebook, lti, t0):
    user, link = launch(lti)
    row = queue_score(user, link, score=5, finished_at=t0, now=t0)
    [claimed] = outbox.claim_due(now=t0)  # another sender has it (and crashed, as it turns out)
    assert claimed.id == row.id
    assert passback.send_due(now=t0 + timedelta(seconds=30))["claimed"] == 0
    assert gradebook.scores == []
    after_claim = t0 + timedelta(seconds=outbox.CLAIM_SECONDS + 1)
    assert passback.send_due(now=after_claim)["sent"] == 1
    assert delivered(gradebook) == [("user-1", 5)]


def test_two_concurrent_senders_send_a_row_once(app, gradebook, lti, t0):
    user, link = launch(lti)
    queue_score(user, link, score=5, finished_at=t0, now=t0)
    gradebook.fail_scores = ["hold"]  # the first sender's POST waits at the platform for the test
    results = []

    def first_sender():
        with app.app_context():
            try:
                results.append(passback.send_due(now=t0))
            except Exception as exc:  # pragma: no cover - reported below
                results.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=first_sender)
    thread.start()
    try:
        assert gradebook.holding.wait(10), "the first sender never reached the platform"
        assert passback.send_due(now=t0)["claimed"] == 0
    finally:
        gradebook.release.set()
        thread.join(10)
    assert not thread.is_alive()
    assert results == [{"claimed": 1, "sent": 1, "retrying": 0, "failed": 0, "skipped": 0}]
    assert delivered(gradebook) == [("user-1", 5)]


def test_a_platform_that_is_down_is_called_once_per_run(gradebook, lti, t0):
    students = [launch(lti, sub=f"user-{n}") for n in range(3)]
    rows = [queue_score(user, link, score=1, finished_at=t0, now=t0) for user, link in students]
    gradebook.fail_token = [503]
    assert passback.send_due(now=t0) == {"claimed": 3, "sent": 0, "retrying": 3, "failed": 0, "skipped": 0}
    assert gradebook.token_requests == 1
    errors = [row_of(r.id).last_error for r in rows]
    assert "HTTP 503" in errors[0]
    assert all(e.startswith("Not tried: the LMS was unavailable") for e in errors[1:])


def test_a_run_near_its_claims_end_leaves_the_rest(gradebook, lti, t0):
    students = [launch(lti, sub=f"user-{n}") for n in range(2)]
    rows = [queue_score(user, link, score=1, finished_at=t0, now=t0) for user, link in students]
    ticks = iter([0.0, 1000.0])  # at the start, and before the second row: the first took too long
    counts = passback.send_due(now=t0, clock=lambda: next(ticks))
    assert counts == {"claimed": 2, "sent": 1, "retrying": 0, "failed": 0, "skipped": 1}
    left = row_of(rows[1].id)
    assert (left.status, left.tries) == ("pending", 0)
    assert passback.send_due(now=t0 + timedelta(seconds=outbox.CLAIM_SECONDS + 1))["sent"] == 1
    assert len(gradebook.scores) == 2


def test_once_the_lms_takes_a_score_its_other_backed_off_scores_are_due_at_once(gradebook, lti, t0):
    """Without this, a score that failed many times during an outage waits out its backoff (up to 30 min)
    after the LMS is back."""
    students = [launch(lti, sub=f"user-{n}") for n in range(3)]
    waiting = [queue_score(user, link, score=n, finished_at=t0, now=t0) for n, (user, link) in enumerate(students[:2])]
    gradebook.fail_token = [503]
    assert passback.send_due(now=t0)["retrying"] == 2
    backoff_ends = min(row_of(row.id).next_try_at for row in waiting)
    assert backoff_ends > t0 + timedelta(seconds=2)

    # The LMS is back; a score queued now goes through at once, and so the backed-off ones are due too.
    back = t0 + timedelta(seconds=1)
    queue_score(*students[2], score=2, finished_at=back, now=back)
    assert passback.send_due(now=back)["sent"] == 1
    assert [row_of(row.id).next_try_at for row in waiting] == [back, back]
    assert passback.send_due(now=back)["sent"] == 2
    assert sorted(delivered(gradebook)) == [("user-0", 0), ("user-1", 1), ("user-2", 2)]


def test_a_ten_minute_outage_ends_with_every_grade_delivered_once_in_order(gradebook, lti, t0):
    students = [launch(lti, sub=f"user-{n}") for n in range(3)]
    expected = []
    for n, (user, link) in enumerate(students):
        for k in range(3):  # three attempts each, the last two in the same second
            score = 10 * n + k
            queue_score(user, link, score=score, finished_at=t0 + timedelta(seconds=min(k, 1)), now=t0)
            expected.append((user.sub, score))
    gradebook.fail_token = [503] * 10_000
    gradebook.fail_scores = [503] * 10_000
    now = t0
    passback.send_due(now=now)
    while now < t0 + timedelta(minutes=10):
        now += timedelta(seconds=15)
        passback.send_due(now=now)
    assert gradebook.scores == []
    asked = gradebook.token_requests
    assert 6 <= asked <= 30  # backing off: asked again and again, but not at every run of the sender
    gradebook.fail_token.clear()
    gradebook.fail_scores.clear()
    runs = 0
    while len(gradebook.scores) < len(expected) and runs < 500:
        now += timedelta(seconds=15)
        passback.send_due(now=now)
        runs += 1
    assert sorted(delivered(gradebook)) == sorted(expected)  # every grade, exactly once
    for user, _ in students:
        mine = [s for s in gradebook.scores if s["userId"] == user.sub]
        assert [s["scoreGiven"] for s in mine] == [v for u, v in expected if u == user.sub]  # in order
        assert [s["timestamp"] for s in mine] == sorted({s["timestamp"] for s in mine})  # strictly increasing
    assert {row.status for row in db.session.scalars(db.select(GradeOutbox))} == {"sent"}
    assert now - t0 < timedelta(hours=2)
