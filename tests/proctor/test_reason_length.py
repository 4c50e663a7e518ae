"""A force-close reason is kept on the attempt (`finish_reason`, 300 characters): a longer one is refused on
the socket with a message saying so, and the attempt stays open. PostgreSQL failed the write before, and the
proctor's socket was closed with 1011."""

from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.exam.models import Attempt
from lti_tool.proctor.models import ProctorEvent


def test_a_force_close_reason_longer_than_its_column_is_refused(room):
    limit = Attempt.finish_reason.type.length
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    dashboard.send(type="terminate", attempt_id=attempt["id"], reason="r" * (limit + 1))
    assert dashboard.next("error")["message"] == f"terminate.reason must be 1 to {limit} characters."
    assert room.attempt_row(attempt).status == "in_progress"
    assert db.session.scalar(select(func.count()).select_from(ProctorEvent).filter_by(kind="terminate")) == 0
    dashboard.send(type="terminate", attempt_id=attempt["id"], reason="r" * limit)
    dashboard.next("ack", action="terminate", attempt_id=attempt["id"])
    assert room.attempt_row(attempt).finish_reason == "r" * limit
