"""The student and proctor sockets end to end over loopback: who may open them, violations on record and
live on the dashboard, the proctor's actions reaching exactly one student, presence, and expiry."""

import time

from sqlalchemy import func, select

from lti_tool.audit import AuditEntry
from lti_tool.db import db
from lti_tool.exam.models import GradeOutbox
from lti_tool.identity import access, tokens
from lti_tool.proctor.models import ProctorEvent
from lti_tool.realtime.sockets import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from tests.exam.conftest import right_option
from tests.exam.test_attempts import save


def test_a_bad_token_closes_the_socket_as_unauthenticated(room):
    _, attempt = room.student()
    page = room.page("/ws/student")
    page.send(type="hello", token="forged", attempt_id=attempt["id"])
    assert page.next("error")["code"] == "not_authenticated"
    assert page.closed_with() == CLOSE_UNAUTHENTICATED


def test_a_student_cannot_speak_for_another_students_attempt(room):
    _, theirs = room.student("s1")
    mine, _ = room.student("s2")
    page = room.page("/ws/student")
    page.send(type="hello", token=mine, attempt_id=theirs["id"])
    assert page.next("error")["code"] == "forbidden"
    assert page.closed_with() == CLOSE_FORBIDDEN


def test_a_proctor_not_listed_for_the_exam_is_refused_and_a_listed_one_gets_the_room(room):
    room.student("s1")
    room.student("s2", start_attempt=False)
    outsider = room.dashboard(room.proctor_token("other@example.edu", listed=False))
    assert outsider.next("error")["code"] == "forbidden"
    assert outsider.closed_with() == CLOSE_FORBIDDEN
    dashboard = room.dashboard(room.proctor_token())
    roster = dashboard.next("roster")
    statuses = sorted(row["status"] for row in roster["students"])
    assert statuses == ["in_progress", "not_started"]


def test_a_student_cannot_open_the_dashboard(room):
    token, _ = room.student()
    page = room.dashboard(token)
    assert page.closed_with() == CLOSE_FORBIDDEN


def test_a_violation_is_on_record_before_the_dashboard_sees_it_and_a_resend_is_recorded_once(room):
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    violation = {"type": "violation", "kind": "tab_hidden", "client_time": time.time() * 1000, "id": "v-1"}
    page.send(**violation)
    ack = page.next("ack", id="v-1")
    event = dashboard.next("event")["event"]
    assert (event["kind"], event["detail"], event["attempt_id"], event["id"]) == (
        "violation", "tab_hidden", attempt["id"], ack["event_id"])
    page.send(**violation)  # the page resends after a reconnect
    assert page.next("ack", id="v-1")["event_id"] == ack["event_id"]
    assert db.session.scalar(select(func.count()).select_from(ProctorEvent).filter_by(kind="violation")) == 1
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(action="proctor.violation")) == 1


def test_a_warning_reaches_only_its_student_who_must_acknowledge_it_even_after_a_reconnect(room):
    token, attempt = room.student("s1")
    other_token, other_attempt = room.student("s2")
    dashboard = room.dashboard()
    dashboard.next("roster")
    other = room.student_page(other_token, other_attempt)
    page = room.student_page(token, attempt)
    dashboard.send(type="warn", attempt_id=attempt["id"], text="Eyes on your own screen, please.")
    dashboard.next("ack", action="warn")
    warning = page.next("warn")
    assert warning["text"] == "Eyes on your own screen, please."
    page.close()
    page = room.student_page(token, attempt)  # reloaded before acknowledging: shown again
    assert page.next("warn")["warning_id"] == warning["warning_id"]
    page.send(type="warn_ack", warning_id=warning["warning_id"])
    page.next("ack", warning_id=warning["warning_id"])
    assert dashboard.next("event")["event"]["kind"] == "warning"
    acknowledged = dashboard.next("event")["event"]
    assert (acknowledged["kind"], acknowledged["data"]) == ("warning_ack", {"warning_id": warning["warning_id"]})
    other.send(type="heartbeat", visible=True)
    other.next("time")
    assert all(m["type"] != "warn" for m in other.seen)


def test_pause_freezes_the_attempt_and_resume_gives_the_time_back(room):
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    dashboard.send(type="pause", attempt_id=attempt["id"], reason="fire alarm")
    assert dashboard.next("status", attempt_id=attempt["id"])["status"] == "paused"
    page.next("pause")
    question = attempt["questions"][0]
    assert save(room.course, attempt, question, [right_option(question)], token).status_code == 409
    dashboard.send(type="resume", attempt_id=attempt["id"])
    resumed = page.next("resume")
    assert resumed["deadline"] >= attempt["deadline"]
    assert save(room.course, attempt, question, [right_option(question)], token).status_code == 200


def test_force_close_needs_a_reason_and_ends_the_attempt_through_finalize(room):
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    dashboard.send(type="terminate", attempt_id=attempt["id"], reason="   ")
    assert "reason" in dashboard.next("error")["message"]
    dashboard.send(type="terminate", attempt_id=attempt["id"], reason="phone on the desk")
    assert page.next("terminate")["reason"] == "phone on the desk"
    row = room.attempt_row(attempt)
    assert (row.status, row.score, row.max_score) == ("terminated", 0.0, 2.0)
    assert db.session.scalar(select(func.count()).select_from(GradeOutbox)) == 1


def test_presence_follows_the_page(room):
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    assert dashboard.next("presence", attempt_id=attempt["id"])["state"] == "online"
    page.send(type="heartbeat", visible=False)
    assert dashboard.next("presence", attempt_id=attempt["id"])["state"] == "away"
    page.close()
    assert dashboard.next("presence", attempt_id=attempt["id"])["state"] == "offline"
    again = room.dashboard()
    [row] = again.next("roster")["students"]
    assert row["presence"] == "offline"


def test_closing_the_exam_and_announcing_reach_every_student(room):
    pages = []
    for sub in ("s1", "s2"):
        token, attempt = room.student(sub)
        pages.append(room.student_page(token, attempt))
    dashboard = room.dashboard()
    dashboard.next("roster")
    dashboard.send(type="announce", text="Ten minutes left.")
    dashboard.next("ack", action="announce")
    assert [p.next("announce")["text"] for p in pages] == ["Ten minutes left."] * 2
    dashboard.send(type="close_exam")
    assert dashboard.next("ack", action="close_exam")["attempts_ended"] == 2
    while dashboard.next("event")["event"]["kind"] != "exam_closed":
        pass  # the announcement's event comes first; a missing exam_closed fails next() after its wait
    for page in pages:
        page.next("exam_closed")


def test_a_malformed_message_gets_an_error_frame_and_the_socket_stays_usable(room):
    token, attempt = room.student()
    page = room.student_page(token, attempt)
    page.ws.send("{not json")
    assert page.next("error")["code"] == "malformed"
    page.send(type="violation", kind="screenshot", client_time=1)
    assert page.next("error")["code"] == "invalid_field"
    page.send(type="heartbeat", visible=True)
    assert page.next("time")["status"] == "in_progress"


def test_the_socket_closes_when_its_token_runs_out_unless_a_new_one_is_sent(room, app):
    token, attempt = room.student()
    context = access.verify_token(token)
    short = tokens.issue(context, secret_key=app.config["SECRET_KEY"], issuer=app.config["TOOL_BASE_URL"], ttl=2)
    page = room.student_page(short, attempt)
    page.next("time")  # the state sent on connect
    page.send(type="hello", token=token, attempt_id=attempt["id"])  # refreshed in time
    page.next("hello")
    refreshed = room.student_page(short, attempt)
    assert refreshed.closed_with(timeout=10) == CLOSE_UNAUTHENTICATED
    page.send(type="heartbeat", visible=True)
    assert page.next("time")


def test_a_page_sending_too_much_is_told_and_keeps_its_socket(room, app):
    app.config.update(SOCKET_MESSAGE_BURST=3, SOCKET_MESSAGES_PER_SECOND=0.001)
    token, attempt = room.student()
    page = room.student_page(token, attempt)  # the hello takes one of the three
    page.next("time")
    page.send(type="violation", kind="copy", client_time=1, id="v-1")
    page.next("ack", id="v-1")
    page.send(type="violation", kind="copy", client_time=2, id="v-2")
    page.next("ack", id="v-2")
    page.send(type="violation", kind="copy", client_time=3, id="v-3")
    refusal = page.next("error")
    # Named, so the page knows which of its messages to send again.
    assert (refusal["code"], refusal["id"], refusal["status"]) == ("rate_limited", "v-3", 429)
    assert db.session.scalar(select(func.count()).select_from(ProctorEvent)) == 2
    assert page.ws.connected
