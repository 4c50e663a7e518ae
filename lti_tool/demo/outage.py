"""The gradebook outage switch. While the demo gradebook is offline, its grade service (AGS) and its token
endpoint answer 503 with Retry-After, as an LMS does during maintenance, so whoever tries the demo can
watch the tool keep grades pending and deliver them once the gradebook is back."""

from lti_tool.db import db
from lti_tool.demo.errors import ServiceError
from lti_tool.demo.models import DemoSwitch

GRADEBOOK_OFFLINE = "gradebook_offline"
RETRY_AFTER_SECONDS = 5


def offline_since():
    """When the gradebook went offline, or None while it is online. Read from the database, so every
    server worker sees the one switch."""
    switch = db.session.get(DemoSwitch, GRADEBOOK_OFFLINE)
    return switch.changed_at if switch is not None and switch.enabled else None


def set_gradebook_offline(offline):
    """Take the gradebook offline or bring it back, and commit."""
    db.session.merge(DemoSwitch(name=GRADEBOOK_OFFLINE, enabled=offline))
    db.session.commit()


def check_gradebook_online():
    """Refuse a gradebook request with a 503 while the gradebook is offline."""
    if offline_since() is not None:
        raise ServiceError("temporarily_unavailable", "The demo gradebook is offline (switched off on the "
                           "demo gradebook page); try again later.", status=503, retry_after=RETRY_AFTER_SECONDS)
