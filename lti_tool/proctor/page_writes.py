"""What the student pages' socket messages write (violations, warning acknowledgements, presence, answers), committed
in groups: a burst of violations was one transaction each, serial on the worker (bench/README.md, section 7).
One thread per process (a greenlet under gevent) takes whatever has queued, up to MAX_GROUP, writes it with one
multi-row statement per table and commits once; only then does each handler wake to acknowledge, and the bus
hear of it (after the commit, as always). A group that fails is written again one message at a time, so one
bad message cannot sink the others; a message whose write failed is never acknowledged."""

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, tuple_

from lti_tool import audit
from lti_tool.db import db, dialect_insert, first_line, utcnow
from lti_tool.errors import AppError, NotFound
from lti_tool.exam import grouped_saves
from lti_tool.exam.models import Attempt
from lti_tool.metrics import events as metrics
from lti_tool.proctor import actions, events, presence
from lti_tool.proctor.models import ProctorEvent
from lti_tool.realtime import channels, on_commit

log = logging.getLogger(__name__)

ORIGIN = "student page"
MAX_GROUP = 500
# A committer with nothing to do this long ends; the next write starts another.
IDLE_SECONDS = 60


@dataclass(frozen=True)
class Page:
    """The attempt a student socket is about, and what its records name."""

    attempt_id: int
    exam_id: int
    course_id: int
    user_id: int


@dataclass(eq=False)
class _Write:
    page: Page
    done: threading.Event = field(default_factory=threading.Event, init=False)
    result: object = field(default=None, init=False)
    error: BaseException | None = field(default=None, init=False)

    def finish(self, result=None, error=None):
        self.result, self.error = result, error
        self.done.set()


@dataclass(eq=False)
class Violation(_Write):
    kind: str
    client_time: float
    client_id: str | None
    detail: str | None


@dataclass(eq=False)
class WarningAck(_Write):
    warning_id: int


@dataclass(eq=False)
class AnswerSave(_Write):
    save: grouped_saves.Save  # its result: (saved_at, applied), as attempts.save_answer's


@dataclass(eq=False)
class Seen(_Write):
    state: str
    at: datetime
    changed: bool  # from the page's last state (presence.Tracker): kept in the presence history


class Committer:
    def __init__(self, app):
        self._app = app
        self._queue = queue.Queue()
        self._lock = threading.Lock()
        self._thread = None

    def write(self, item):
        """Queue `item` and wait until its group is committed: the event's id for a violation or an
        acknowledgement; raises what refused or failed it. What the caller's session did so far is committed
        first: a handler waiting here must not hold a pooled connection the committer needs (2,000 pages saying
        hello at once emptied the pool and the committer waited for a connection for 30 s)."""
        db.session.commit()
        self._queue.put(item)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="page writes", daemon=True)
                self._thread.start()
        item.done.wait()
        if item.error is not None:
            raise item.error
        return item.result

    def _run(self):
        while True:
            try:
                group = [self._queue.get(timeout=IDLE_SECONDS)]
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            while len(group) < MAX_GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                with self._app.app_context():
                    commit(group)
            except BaseException as exc:  # never leave a handler waiting
                for item in group:
                    if not item.done.is_set():
                        item.finish(error=exc)
                if not isinstance(exc, Exception):  # the worker is stopping: the next write starts another
                    with self._lock:
                        self._thread = None
                    raise


def write(item):
    """Write what a student socket's message asks for (see Committer.write), through this app's committer."""
    app = current_app._get_current_object()
    committer = app.extensions.get("page_writes") or app.extensions.setdefault("page_writes", Committer(app))
    return committer.write(item)


def commit(group):
    """Write `group` in one transaction and finish each item; if that fails, each item in its own."""
    try:
        outcomes = _add(group)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if len(group) == 1:
            group[0].finish(error=exc)
            return
        log.warning("a group of %d page writes failed, writing them one by one: %s", len(group), first_line(exc))
        for item in group:
            commit([item])
        return
    for item in group:
        result, error = outcomes[item]
        if isinstance(item, Violation) and error is None:
            metrics.violation_recorded(item.kind)
        item.finish(result, error)


def _add(group):
    """Add the group's writes to the session's transaction, and the bus messages to send after its commit.
    {item: (result, refusal)}: a refused item (its attempt has ended, a warning that is not its own) writes nothing."""
    now = utcnow()
    outcomes = {}
    seen = [item for item in group if isinstance(item, Seen)]
    presence.record_all([(item.page.attempt_id, item.state, item.at, item.changed) for item in seen])
    for item in seen:
        on_commit.publish(channels.exam(item.page.exam_id), {
            "type": "presence", "attempt_id": item.page.attempt_id, "state": item.state, "at": item.at.isoformat()})
        outcomes[item] = (None, None)
    saves = [item for item in group if isinstance(item, AnswerSave)]
    if saves:
        saved = grouped_saves.save_all([item.save for item in saves], now=now,
                                       grace_seconds=current_app.config["ANSWER_GRACE_SECONDS"])
        for item, outcome in zip(saves, saved, strict=True):
            outcomes[item] = (None, outcome) if isinstance(outcome, AppError) else ((now, outcome), None)
    wanted = []
    checks = _Checks(group)
    for item in group:
        if not isinstance(item, Violation | WarningAck):
            continue
        try:
            wanted.append((item, checks.event_row(item, now)))
        except AppError as refusal:
            outcomes[item] = (None, refusal)
    for (item, _), event in zip(wanted, _insert_events(wanted), strict=True):
        on_commit.publish(channels.exam(item.page.exam_id), {"type": "event", "event": events.as_dict(event)})
        outcomes[item] = (event.id, None)
    return outcomes


class _Checks:
    """What the group's events must be checked against, read in one statement per kind."""

    def __init__(self, group):
        attempt_ids = {item.page.attempt_id for item in group if isinstance(item, Violation)}
        warning_ids = {item.warning_id for item in group if isinstance(item, WarningAck)}
        self.attempts = {row.id: row for row in db.session.execute(
            select(Attempt.id, Attempt.status, Attempt.finished_at).where(Attempt.id.in_(attempt_ids)))
        } if attempt_ids else {}
        self.warnings = {row.id: row for row in db.session.execute(
            select(ProctorEvent.id, ProctorEvent.attempt_id, ProctorEvent.kind)
            .where(ProctorEvent.id.in_(warning_ids)))
        } if warning_ids else {}

    def event_row(self, item, now):
        page = item.page
        row = {"exam_id": page.exam_id, "attempt_id": page.attempt_id, "actor_user_id": page.user_id, "at": now}
        if isinstance(item, Violation):
            attempt = self.attempts.get(page.attempt_id)
            if attempt is None:
                raise NotFound("That attempt no longer exists.")
            # One the page saw before the attempt ended is recorded even if it arrives after: the page keeps
            # what was not acknowledged and sends it again when it reconnects.
            if attempt.finished_at is None or item.client_time / 1000 > attempt.finished_at.timestamp():
                actions.require_open(attempt)
            return {**row, "kind": events.VIOLATION, "detail": item.kind, "text": item.detail, "data": {},
                    "client_time": events.from_epoch_ms(item.client_time), "client_id": item.client_id}
        warning = self.warnings.get(item.warning_id)
        if warning is None or warning.attempt_id != page.attempt_id or warning.kind != events.WARNING:
            raise NotFound("That warning was not sent to this attempt.")
        # Named after its warning, so an acknowledgement the page sends again after a reconnect is recorded once.
        return {**row, "kind": events.WARNING_ACK, "detail": None, "text": None,
                "data": {"warning_id": item.warning_id}, "client_time": None, "client_id": f"ack-{item.warning_id}"}


def _insert_events(wanted):
    """Insert the events, [(item, row)], in one statement, and their audit rows in another; an event the page
    already sent (same client id for the attempt, in an earlier group or this one) is not recorded again. The
    events, in the order of `wanted`: the earlier one for a resend."""
    if not wanted:
        return []
    rows = [row for _, row in wanted]
    table = ProctorEvent.__table__
    # Given the rows as parameters, SQLAlchemy sends them as one multi-row INSERT from a statement it compiles
    # once; built with .values(rows), the statement cost ~0.4 ms a row to compile, more than all the rest.
    statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["attempt_id", "client_id"])
    # Ids rise in the order of the rows, so those without a client id are matched by order.
    inserted = sorted(db.session.execute(
        statement.returning(table.c.id, table.c.attempt_id, table.c.client_id), rows).all())
    by_key = {(row.attempt_id, row.client_id): row.id for row in inserted if row.client_id is not None}
    unnamed = iter(row.id for row in inserted if row.client_id is None)
    new, claimed, result = [], set(), []
    for item, row in wanted:
        key = (row["attempt_id"], row["client_id"])
        if row["client_id"] is None or (key in by_key and key not in claimed):
            claimed.add(key)
            event = ProctorEvent(id=next(unnamed) if row["client_id"] is None else by_key[key], **row)
            new.append((item.page.course_id, event))
        else:
            event = key
        result.append(event)
    earlier = _earlier([key for key in result if isinstance(key, tuple)])
    audit.record_all([{
        "action": f"proctor.{event.kind}", "target_type": "attempt", "target_id": event.attempt_id,
        "actor_user_id": event.actor_user_id, "course_id": course_id, "origin": ORIGIN, "at": event.at,
        "data": {"event_id": event.id, "detail": event.detail, "text": event.text, **event.data},
    } for course_id, event in new])
    return [earlier[event] if isinstance(event, tuple) else event for event in result]


def _earlier(keys):
    """{(attempt id, client id): the event recorded before} for resends."""
    if not keys:
        return {}
    return {(event.attempt_id, event.client_id): event for event in db.session.scalars(
        select(ProctorEvent).where(tuple_(ProctorEvent.attempt_id, ProctorEvent.client_id).in_(set(keys))))}
