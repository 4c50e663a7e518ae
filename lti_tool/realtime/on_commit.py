"""Messages about a change leave only once the change is committed: queued on the session, published
after its commit, dropped if it rolls back (DESIGN §10: side effects after commit)."""

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from lti_tool.db import db

PENDING = "realtime.pending"


def publish(channel, message):
    """Publish `message` on the bus when the current transaction commits."""
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so a rollback before any statement still drops the message
    session.info.setdefault(PENDING, []).append((channel, message))


@event.listens_for(Session, "after_commit")
def _publish_pending(session):
    pending = session.info.pop(PENDING, None)
    if pending:
        bus = current_app.extensions["bus"]
        for channel, message in pending:
            bus.publish(channel, message)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(PENDING, None)
