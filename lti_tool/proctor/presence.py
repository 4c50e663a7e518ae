"""Whether each student's exam page is there: online (visible), away (hidden or unfocused), offline
(no socket, or silent too long). Kept in the database so every worker's dashboards agree."""

from datetime import timedelta

from sqlalchemy import select

from lti_tool.db import db, upsert
from lti_tool.proctor.models import Presence

ONLINE, AWAY, OFFLINE = "online", "away", "offline"
# Chrome runs a hidden tab's timers about once a minute, so a heartbeat can be 60 s late.
SILENT_AFTER = timedelta(seconds=90)
# A page whose state has not changed is written at most this often.
REFRESH_EVERY = timedelta(seconds=30)


def record(attempt_id, state, now, *, changed):
    """Store what the page's socket just said (in the caller's transaction)."""
    update = {"state": state, "last_seen_at": now, **({"changed_at": now} if changed else {})}
    upsert(Presence, {"attempt_id": attempt_id, "state": state, "last_seen_at": now, "changed_at": now},
           key=("attempt_id",), update=update)


def effective(state, last_seen_at, now):
    """What a dashboard should show: a page silent for too long is offline, whatever it last said."""
    if state != OFFLINE and now - last_seen_at > SILENT_AFTER:
        return OFFLINE
    return state


def for_attempts(attempt_ids, now):
    """{attempt id: {"state", "last_seen_at"}} for these attempts (absent: never connected)."""
    if not attempt_ids:
        return {}
    rows = db.session.scalars(select(Presence).where(Presence.attempt_id.in_(attempt_ids)))
    return {row.attempt_id: {"state": effective(row.state, row.last_seen_at, now),
                             "last_seen_at": row.last_seen_at.isoformat(),
                             "since": row.changed_at.isoformat()} for row in rows}


class Tracker:
    """One socket's view of its page: decides when a heartbeat is worth a write and a broadcast."""

    def __init__(self):
        self.state = None
        self.written_at = None

    def observe(self, state, now):
        """(write, changed): whether to store this reading, and whether the dashboards must hear of it."""
        changed = state != self.state
        write = changed or self.written_at is None or now - self.written_at >= REFRESH_EVERY
        if write:
            self.state, self.written_at = state, now
        return write, changed
