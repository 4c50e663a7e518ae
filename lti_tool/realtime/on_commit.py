"""Messages about a change leave only once the change is committed: queued on the session, published
after its commit, dropped if it rolls back (DESIGN §10: side effects after commit)."""

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lti_tool.db import db
from lti_tool.realtime.bus import encode

PENDING = "realtime.pending"
GATHERED = "realtime.gathered"


def publish(channel, message):
    """Publish `message` on the bus when the current transaction commits."""
    _session().info.setdefault(PENDING, []).append((channel, message))


def publish_gathered(channel, message, field, value):
    """Like publish, but the calls of one transaction with the same channel and message share one message,
    whose list `field` gathers their values: a roster sync that changes 300 people sends one message, not 300."""
    gathered = _session().info.setdefault(GATHERED, {})
    key = (channel, encode(message))
    if key not in gathered:
        gathered[key] = {**message, field: []}
        publish(channel, gathered[key])
    if value not in gathered[key][field]:
        gathered[key][field].append(value)


def _session():
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so a rollback before any statement still drops the message
    return session


@event.listens_for(Session, "after_commit")
def _publish_pending(session):
    session.info.pop(GATHERED, None)
    pending = session.info.pop(PENDING, None)
    if pending:
        bus = current_app.extensions["bus"]
        for channel, message in pending:
            bus.publish(channel, message)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(PENDING, None)
        session.info.pop(GATHERED, None)
