"""Proctoring actions on the record: a violation the page could only deliver after its attempt ended."""

import time

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.proctor.models import ProctorEvent


def test_a_violation_seen_before_the_attempt_ended_is_recorded_when_it_arrives_after(room):
    token, attempt = room.student()
    page = room.student_page(token, attempt)
    seen_at = time.time() * 1000
    # The page saw it but could not deliver it (no network, or the database was restarting); meanwhile the
    # attempt ended. It resends after reconnecting: that must not lose it from the record.
    room.course.call("POST", f"/api/attempts/{attempt['id']}/submit", token)
    page.send(type="violation", kind="network_lost", client_time=seen_at, id="v-1")
    ack = page.next("ack", id="v-1")
    event = db.session.scalar(select(ProctorEvent).filter_by(client_id="v-1"))
    assert (event.id, event.attempt_id, event.detail) == (ack["event_id"], attempt["id"], "network_lost")
    page.send(type="violation", kind="network_lost", client_time=seen_at, id="v-1")  # a resend: the same event
    assert page.next("ack", id="v-1")["event_id"] == ack["event_id"]

    page.send(type="violation", kind="copy", client_time=time.time() * 1000 + 60_000, id="v-2")
    assert page.next("error")["code"] == "action_refused"  # seen after the end: not part of the exam
    assert db.session.scalar(select(ProctorEvent).filter_by(client_id="v-2")) is None
