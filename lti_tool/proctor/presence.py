"""Whether each student's exam page is there: online (visible), away (hidden or unfocused), offline
(no socket, or silent too long). Kept in the database so every worker's dashboards agree."""

from datetime import timedelta
from itertools import groupby

from sqlalchemy import case, select

from lti_tool.db import db, dialect_insert
from lti_tool.exam.models import Attempt
from lti_tool.proctor.models import Presence, PresenceChange

ONLINE, AWAY, OFFLINE = "online", "away", "offline"
# Chrome runs a hidden tab's timers about once a minute, so a heartbeat can be 60 s late.
SILENT_AFTER = timedelta(seconds=90)
# A page whose state has not changed is written at most this often.
REFRESH_EVERY = timedelta(seconds=30)


def record_all(readings):
    """Store what pages' sockets just said, [(attempt id, state, time, changed)] oldest first, in one statement,
    and each change of state in the history (the review's timeline), in another (in the caller's transaction).
    A page's latest reading wins; `changed_at` moves only when the state does."""
    latest = {attempt_id: (state, at) for attempt_id, state, at, _ in readings}
    if not latest:
        return
    changes = [{"attempt_id": attempt_id, "state": state, "at": at}
               for attempt_id, state, at, changed in readings if changed]
    if changes:
        db.session.execute(PresenceChange.__table__.insert(), changes)
    table = Presence.__table__
    statement = dialect_insert(table)
    new = statement.excluded
    # The rows as parameters: one multi-row statement, compiled once (page_writes.py).
    db.session.execute(statement.on_conflict_do_update(index_elements=["attempt_id"], set_={
        "state": new.state, "last_seen_at": new.last_seen_at,
        "changed_at": case((table.c.state != new.state, new.changed_at), else_=table.c.changed_at)}), [
        {"attempt_id": attempt_id, "state": state, "last_seen_at": at, "changed_at": at}
        for attempt_id, (state, at) in latest.items()])


def history(attempt_id):
    """[{"state", "at"}]: the attempt's presence changes, oldest first."""
    rows = db.session.scalars(select(PresenceChange).where(PresenceChange.attempt_id == attempt_id)
                              .order_by(PresenceChange.at, PresenceChange.id))
    return [{"state": row.state, "at": row.at.isoformat()} for row in rows]


def time_away(exam_id, now):
    """{attempt id: seconds its page was away or offline while the attempt was open}, from the presence changes
    (an open attempt counts to `now`; an attempt whose pages never connected is absent)."""
    rows = db.session.execute(
        select(PresenceChange.attempt_id, PresenceChange.state, PresenceChange.at, Attempt.finished_at)
        .join(Attempt, Attempt.id == PresenceChange.attempt_id).where(Attempt.exam_id == exam_id)
        .order_by(PresenceChange.attempt_id, PresenceChange.at, PresenceChange.id))
    away = {}
    for attempt_id, changes in groupby(rows, key=lambda row: row.attempt_id):
        total, since, end = 0.0, None, now
        for _, state, at, finished_at in changes:
            end = finished_at or now
            if state == ONLINE and since is not None:
                total += max(0.0, (min(at, end) - since).total_seconds())
                since = None
            elif state != ONLINE and since is None:
                since = at
        if since is not None:
            total += max(0.0, (end - since).total_seconds())
        away[attempt_id] = total
    return away


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
        """(write, changed): whether to store this reading and tell the dashboards of it, and whether the page's
        state changed (kept in the history)."""
        changed = state != self.state
        write = changed or self.written_at is None or now - self.written_at >= REFRESH_EVERY
        if write:
            self.state, self.written_at = state, now
        return write, changed
