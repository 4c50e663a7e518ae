"""The attempt lifecycle, as one state machine: statuses, the legal moves, and the one function
that makes a move (guarded, stamped, audited, in the caller's transaction).

    in_progress -> submitted | timed_out | terminated
    in_progress <-> paused
    paused -> timed_out | terminated        (the exam closed, or a proctor closed it)
"""

from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from lti_tool import audit
from lti_tool.db import db
from lti_tool.errors import AppError
from lti_tool.exam.models import Attempt


class Status(StrEnum):
    # Stored in the database: never rename a value.
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    SUBMITTED = "submitted"
    TIMED_OUT = "timed_out"
    TERMINATED = "terminated"


OPEN = frozenset({Status.IN_PROGRESS, Status.PAUSED})
FINAL = frozenset({Status.SUBMITTED, Status.TIMED_OUT, Status.TERMINATED})

TRANSITIONS = {
    Status.IN_PROGRESS: frozenset({Status.PAUSED, Status.SUBMITTED, Status.TIMED_OUT, Status.TERMINATED}),
    Status.PAUSED: frozenset({Status.IN_PROGRESS, Status.TIMED_OUT, Status.TERMINATED}),
    Status.SUBMITTED: frozenset(),
    Status.TIMED_OUT: frozenset(),
    Status.TERMINATED: frozenset(),
}


class IllegalTransition(AppError):
    http_status = 409
    code = "illegal_transition"
    title = "That cannot be done to this attempt now"


class TransitionLost(Exception):
    """Another worker moved the attempt first; the caller's move did not happen."""


def is_final(status):
    return Status(status) in FINAL


def check_legal(current, to):
    current, to = Status(current), Status(to)
    if to not in TRANSITIONS[current]:
        raise IllegalTransition(f"An attempt that is {current.replace('_', ' ')} cannot become {to.replace('_', ' ')}.")


def transition(attempt, to, *, actor_user_id, origin, course_id, changes=None, data=None):
    """Move the attempt from its current status to `to`, with `changes` to other columns, as one
    conditional UPDATE: if another worker moved it meanwhile, nothing changes and TransitionLost is raised.
    The audit row joins the same transaction; the caller commits."""
    current = Status(attempt.status)
    check_legal(current, to)
    values = {"status": str(to), **(changes or {})}
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == str(current))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.expire(attempt)
        raise TransitionLost(f"attempt {attempt.id} was no longer {current}")
    # The row already holds these values: record them as loaded, so no second UPDATE is flushed.
    for name, value in values.items():
        set_committed_value(attempt, name, value)
    audit.record(f"attempt.{to}", "attempt", attempt.id, actor_user_id=actor_user_id, course_id=course_id,
                 data={"from": str(current), **(data or {})}, origin=origin)
    return attempt
