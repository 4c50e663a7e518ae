"""A page resends a warning acknowledgement after a reconnect when the first one's answer was lost (it keeps
what the server has not acknowledged, as it does violations): the acknowledgement is recorded once."""

from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.proctor.models import ProctorEvent


def test_a_resent_warning_acknowledgement_is_recorded_once(room):
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    dashboard.send(type="warn", attempt_id=attempt["id"], text="Eyes on your own screen, please.")
    warning_id = page.next("warn")["warning_id"]
    page.send(type="warn_ack", warning_id=warning_id)
    page.next("ack", warning_id=warning_id)
    page.close()
    page = room.student_page(token, attempt)  # its ack was lost on the way: the page sends it again
    page.send(type="warn_ack", warning_id=warning_id)
    page.next("ack", warning_id=warning_id)
    db.session.expire_all()
    acks = db.session.scalar(select(func.count()).select_from(ProctorEvent).filter_by(kind="warning_ack"))
    assert acks == 1
