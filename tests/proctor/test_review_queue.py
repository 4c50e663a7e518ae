"""After the exam: the review queue's order and filters, each review status and flag decision with the reason it
needs and its audit row, who may review which exam, a student's own outcome, the CSV of statuses, and the report
once the camera's stills are deleted on schedule."""

import csv
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.exam.models import Attempt
from lti_tool.proctor import actions, events, page_writes, presence
from lti_tool.proctor.camera import retention
from lti_tool.proctor.camera.models import Snapshot
from lti_tool.proctor.page_writes import Page
from tests.exam.conftest import Course
from tests.exam.test_attempts import start
from tests.proctor.camera.test_camera import camera_on, consent_and_start, snapshot


def flag(exam, attempt, *kinds):
    """Record the attempt's violations as its page's socket does (page_writes), returning their event ids."""
    row = db.session.get(Attempt, attempt["id"])
    page = Page(row.id, row.exam_id, row.exam.course_id, row.user_id)
    violations = [page_writes.Violation(page, kind, time.time() * 1000, None, None) for kind in kinds]
    page_writes.commit(violations)
    return [violation.result for violation in violations]


def queue(course, exam, token=None, **filters):
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    response = course.call("GET", f"/api/exams/{exam['id']}/review/queue?{query}", token)
    assert response.status_code == 200, response.json
    return response.json["attempts"]


def set_status(course, exam, attempt, status, reason=None, token=None):
    return course.call("PUT", f"/api/exams/{exam['id']}/review/attempts/{attempt['id']}/status", token,
                       json={"status": status, "reason": reason})


def decide(course, exam, attempt, event_id, decision, reason=None, token=None):
    return course.call("PUT", f"/api/exams/{exam['id']}/review/attempts/{attempt['id']}/flags/{event_id}", token,
                       json={"decision": decision, "reason": reason})


def audit_rows(action):
    return db.session.scalars(select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)).all()


@pytest.fixture
def exam_of_four(course):
    """Four students: one copied once, one was off camera twice, one was force closed, one did nothing."""
    exam = course.exam(questions=1)
    attempts = {name: start(course, exam, course.student(name)) for name in ("copier", "unseen", "closed", "calm")}
    flag(exam, attempts["copier"], "copy")
    flag(exam, attempts["unseen"], "no_face", "camera_unavailable")
    row = db.session.get(Attempt, attempts["closed"]["id"])
    actions.terminate(row.exam, row, "Left the room.", actor_user_id=None, origin="test")
    db.session.commit()
    return exam, attempts


def test_the_queue_puts_what_most_needs_a_look_first_and_filters(course, exam_of_four):
    exam, attempts = exam_of_four
    order = [row["attempt_id"] for row in queue(course, exam)]
    assert order == [attempts[n]["id"] for n in ("closed", "unseen", "copier", "calm")]
    unseen = queue(course, exam, kind="no_face")
    assert [(r["attempt_id"], r["flag_count"], r["camera_gaps"], r["undecided_flags"]) for r in unseen] == [
        (attempts["unseen"]["id"], 2, 2, 2)]
    assert [r["attempt_id"] for r in queue(course, exam, flagged="1")] == [
        attempts["unseen"]["id"], attempts["copier"]["id"]]
    assert {r["review"]["status"] for r in queue(course, exam)} == {"not_reviewed"}

    assert set_status(course, exam, attempts["copier"], "no_concern").status_code == 200
    assert [r["attempt_id"] for r in queue(course, exam, status="no_concern")] == [attempts["copier"]["id"]]
    assert len(queue(course, exam, status="not_reviewed")) == 3
    assert course.call("GET", f"/api/exams/{exam['id']}/review/queue?status=guilty").status_code == 400
    assert course.call("GET", f"/api/exams/{exam['id']}/review/queue?kind=sneezed").status_code == 400


def test_every_status_but_no_concern_needs_a_reason_and_each_change_is_audited(course, exam_of_four):
    exam, attempts = exam_of_four
    attempt = attempts["unseen"]
    graded = len(audit_rows("attempt.graded"))
    for status in ("concern_noted", "referred", "not_reviewed"):
        refused = set_status(course, exam, attempt, status, "   ")
        assert refused.status_code == 422 and "reason" in refused.json["error"]["fields"], refused.json
    assert set_status(course, exam, attempt, "guilty", "x").status_code == 422
    assert audit_rows("review.status") == []

    noted = set_status(course, exam, attempt, "concern_noted", "Away from the camera for four minutes.")
    assert noted.status_code == 200
    assert noted.json["status"] == "concern_noted" and noted.json["reviewer"] and noted.json["reviewed_at"]
    assert set_status(course, exam, attempt, "referred", "Referred to the board.").json["words"] == (
        "Referred to the school's misconduct process")
    cleared = set_status(course, exam, attempt, "no_concern")
    assert cleared.status_code == 200 and cleared.json["reason"] is None
    assert [(r.data["from"], r.data["to"], r.data["reason"], r.target_id) for r in audit_rows("review.status")] == [
        ("not_reviewed", "concern_noted", "Away from the camera for four minutes.", str(attempt["id"])),
        ("concern_noted", "referred", "Referred to the board.", str(attempt["id"])),
        ("referred", "no_concern", None, str(attempt["id"])),
    ]
    # Nothing of a review touches the grade.
    assert len(audit_rows("attempt.graded")) == graded


def test_a_flag_is_dismissed_with_why_or_confirmed_and_only_its_own_attempts_flags(course, exam_of_four):
    exam, attempts = exam_of_four
    no_face, camera = [r.id for r in events.timeline(attempts["unseen"]["id"], kinds=(events.VIOLATION,))]
    assert decide(course, exam, attempts["unseen"], no_face, "dismissed").status_code == 422
    dismissed = decide(course, exam, attempts["unseen"], no_face, "dismissed", "Known camera fault.")
    assert dismissed.status_code == 200 and dismissed.json["reason"] == "Known camera fault."
    assert decide(course, exam, attempts["unseen"], camera, "confirmed").status_code == 200
    assert decide(course, exam, attempts["unseen"], camera, "ignored").status_code == 422
    # Another attempt's flag, and an event that is no flag (the proctor's close), are not found here.
    assert decide(course, exam, attempts["copier"], no_face, "confirmed").status_code == 404
    close = events.timeline(attempts["closed"]["id"], kinds=(events.TERMINATE,))[0].id
    assert decide(course, exam, attempts["closed"], close, "confirmed").status_code == 404

    assert [(r.data["event_id"], r.data["to"], r.data["reason"]) for r in audit_rows("review.flag")] == [
        (no_face, "dismissed", "Known camera fault."), (camera, "confirmed", None)]
    assert queue(course, exam, kind="no_face")[0]["undecided_flags"] == 0


def test_a_proctor_of_one_exam_cannot_review_another_nor_can_a_student(room):
    other = room.course.exam(questions=1, link="link-other")
    token, attempt = room.student("s1")
    proctor = room.proctor_token()
    assert room.course.call("GET", f"/api/exams/{room.exam['id']}/review/queue", proctor).status_code == 200
    assert set_status(room.course, room.exam, attempt, "no_concern", token=proctor).status_code == 200
    for path in (f"/api/exams/{other['id']}/review/queue", f"/api/exams/{other['id']}/review/statuses.csv",
                 f"/api/exams/{other['id']}/review/attempts/{attempt['id']}"):
        assert room.course.call("GET", path, proctor).status_code == 403, path
    assert set_status(room.course, other, attempt, "no_concern", token=proctor).status_code == 403
    assert room.course.call("GET", f"/api/exams/{room.exam['id']}/review/queue", token).status_code == 403
    assert set_status(room.course, room.exam, attempt, "no_concern", token=token).status_code == 403
    # An attempt of another exam is not found through this one's address, even for its test maker.
    assert set_status(room.course, other, attempt, "no_concern").status_code == 404


def test_a_student_sees_only_their_own_outcome_and_only_when_the_exam_shows_reviews(client, lti):
    course = Course(client, lti)
    for review_when, shown in (("never", False), ("immediately", True)):
        link = f"link-{review_when}"
        exam = course.exam(questions=1, link=link, review_when=review_when)
        mine, theirs = course.student(f"me-{review_when}", link), course.student(f"them-{review_when}", link)
        attempt, other = start(course, exam, mine), start(course, exam, theirs)
        [event_id] = flag(exam, attempt, "tab_hidden")
        assert decide(course, exam, attempt, event_id, "dismissed", "Keyboard focus.").status_code == 200
        assert set_status(course, exam, attempt, "no_concern").status_code == 200
        path = f"/api/attempts/{attempt['id']}/review-outcome"
        assert course.call("GET", path, mine).status_code == 404  # still open: no review yet
        assert course.call("POST", f"/api/attempts/{attempt['id']}/submit", mine).status_code == 200
        outcome = course.call("GET", path, mine)
        if not shown:
            assert outcome.status_code == 404
            continue
        assert outcome.status_code == 200, outcome.json
        assert outcome.json["words"] == "No concern"
        assert outcome.json["flags"][0]["decision"]["reason"] == "Keyboard focus."
        assert "reviewer" not in outcome.json["flags"][0]["decision"]
        assert course.call("GET", path, theirs).status_code == 404
        assert course.call("GET", f"/api/attempts/{other['id']}/review-outcome", mine).status_code == 404


def test_the_csv_lists_every_attempts_review_status(course, exam_of_four):
    exam, attempts = exam_of_four
    set_status(course, exam, attempts["unseen"], "concern_noted", "=HYPERLINK(\"x\")")
    response = course.call("GET", f"/api/exams/{exam['id']}/review/statuses.csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["attempt_id"], r["review_status"], r["flags"]) for r in rows] == [
        (str(attempts["closed"]["id"]), "not_reviewed", "0"), (str(attempts["unseen"]["id"]), "concern_noted", "2"),
        (str(attempts["copier"]["id"]), "not_reviewed", "1"), (str(attempts["calm"]["id"]), "not_reviewed", "0")]
    assert rows[1]["reason"] == "'=HYPERLINK(\"x\")"


def test_the_report_keeps_the_decisions_after_the_stills_are_deleted_on_schedule(course, app):
    exam = course.exam(questions=1)
    camera_on(course, exam, retention_days=30)
    token = course.student("seen")
    attempt = consent_and_start(course, exam, token)
    assert snapshot(course, attempt, token, flag="multiple_faces").status_code == 201
    [event_id] = flag(exam, attempt, "multiple_faces")
    assert course.call("POST", f"/api/attempts/{attempt['id']}/submit", token).status_code == 200
    decide(course, exam, attempt, event_id, "confirmed")
    set_status(course, exam, attempt, "concern_noted", "Two people at the desk.")
    path = f"/api/exams/{exam['id']}/review/attempts/{attempt['id']}"
    before = course.call("GET", path).json
    assert len(before["stills"]) == 1 and before["stills_deleted"] == []
    assert "camera" in before["consent"]["text"].lower()

    for row in db.session.scalars(select(Snapshot)):
        row.taken_at = utcnow() - timedelta(days=31)
    db.session.commit()
    assert retention.delete_expired(app.config["SNAPSHOT_DIR"]) == 1

    after = course.call("GET", path).json
    assert after["stills"] == []
    assert [(d["on_schedule"], d["retention_days"]) for d in after["stills_deleted"]] == [(True, 30)]
    assert after["review"]["status"] == "concern_noted" and after["review"]["reason"] == "Two people at the desk."
    assert [(f["type"], f["decision"]["decision"]) for f in after["flags"]] == [("multiple_faces", "confirmed")]
    assert after["consent"] == before["consent"] and after["student"] == before["student"]


def test_the_exam_chart_counts_flags_by_minute_since_the_first_start(course, exam_of_four):
    exam, attempts = exam_of_four
    first = min(db.session.get(Attempt, a["id"]).started_at for a in attempts.values())
    late = events.timeline(attempts["unseen"]["id"], kinds=(events.VIOLATION,))[1]
    late.at = first + timedelta(minutes=7, seconds=30)
    db.session.commit()
    chart = course.call("GET", f"/api/exams/{exam['id']}/review/flags-by-minute").json
    assert chart["minutes"] == [{"minute": 0, "count": 2, "kinds": {"copy": 1, "no_face": 1}},
                                {"minute": 7, "count": 1, "kinds": {"camera_unavailable": 1}}]


def test_the_report_has_the_pages_presence_changes_for_the_timeline(room):
    token, attempt = room.student("s1")
    page = room.student_page(token, attempt)
    page.send(type="heartbeat", visible=False, client_time=0)
    page.next("time")
    page.send(type="heartbeat", visible=True, client_time=0)
    page.next("time")
    page.close()
    path = f"/api/exams/{room.exam['id']}/review/attempts/{attempt['id']}"
    deadline = time.monotonic() + 5
    while len(states := [p["state"] for p in room.course.call("GET", path).json["presence"]]) < 4:
        assert time.monotonic() < deadline, states  # the server records the closed page's offline after the close
        time.sleep(0.05)
    assert states == ["online", "away", "online", "offline"]


def test_long_absences_rank_by_the_minutes_the_page_was_away_to_the_attempts_end(course):
    exam = course.exam(questions=1)
    attempts = {name: start(course, exam, course.student(name)) for name in ("copier", "wanderer", "left")}
    flag(exam, attempts["copier"], "copy", "paste")
    t0 = utcnow() - timedelta(hours=1)
    steps = {"wanderer": [(0, "online"), (60, "away"), (360, "online"), (400, "offline"), (430, "online")],
             "left": [(0, "online"), (100, "away")]}
    presence.record_all([(attempts[name]["id"], state, t0 + timedelta(seconds=seconds), True)
                         for name, changes in steps.items() for seconds, state in changes])
    left = db.session.get(Attempt, attempts["left"]["id"])
    left.status, left.finished_at = "submitted", t0 + timedelta(seconds=220)  # ended 2 minutes into its absence
    presence.record_all([(left.id, "offline", t0 + timedelta(seconds=900), True)])  # the page closed later
    db.session.commit()

    rows = {row["attempt_id"]: row for row in queue(course, exam)}
    assert rows[attempts["wanderer"]["id"]]["away_seconds"] == 330  # 5 minutes away, 30 s offline
    assert rows[attempts["left"]["id"]]["away_seconds"] == 120
    assert rows[attempts["copier"]["id"]]["away_seconds"] == 0
    # Five minutes away weigh as five absences (10), above two copy-and-paste flags (2) and two minutes (4).
    assert [row["attempt_id"] for row in queue(course, exam)] == [
        attempts[name]["id"] for name in ("wanderer", "left", "copier")]
