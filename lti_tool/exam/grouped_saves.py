"""Answer saves sent over the student pages' sockets, written in the page writes' group transaction
(proctor/page_writes.py): one stamp for the group's attempts, one multi-row upsert for their answers, where a save
over HTTP (attempts.save_answer) is a request and a transaction of its own. The rules are the same: a save is
refused, changing nothing, unless its attempt is in progress within its deadline plus grace, the question is in the
attempt and the options are the question's; a save whose `seq` is below the stored one changes nothing. That the
attempt is the student's was checked when the socket said hello (proctor/student_socket.py)."""

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select, update

from lti_tool.db import db, dialect_insert
from lti_tool.errors import AppError
from lti_tool.exam import attempts
from lti_tool.exam.models import Answer, Attempt

WRITTEN = ("option_ids", "flagged", "saved_at", "seq")


@dataclass(frozen=True)
class Save:
    attempt_id: int
    question_id: int
    option_ids: list
    flagged: bool
    seq: int


class SaveBusy(AppError):
    """The attempt is held by another write (a finalize, most often): the save goes as the PUT, which waits for it
    alone, where the group would have waited with every page's writes."""

    code = "save_busy"
    title = "The answer was not saved yet"
    http_status = 503


def save_all(saves, *, grace_seconds, now):
    """Add `saves` to the session's transaction; the caller commits. One outcome per save, in order: whether it
    was applied (False where a later save of the question is stored or is in the same group: the page has moved
    on), or the AppError that refused it (SaveBusy: not refused, to be sent as the PUT). On PostgreSQL the stamp's
    row locks order these saves against a concurrent finalize, as for a save over HTTP."""
    attempt_ids = {save.attempt_id for save in saves}
    questions = _hold_open(attempt_ids, grace_seconds, now)
    closed = _why_not(attempt_ids - questions.keys(), grace_seconds, now)
    outcomes, latest = [], {}
    for index, save in enumerate(saves):
        try:
            chosen = _checked(save, questions, closed)
        except AppError as refusal:
            outcomes.append(refusal)
            continue
        outcomes.append(False)
        key = (save.attempt_id, save.question_id)
        if key not in latest or latest[key][1]["seq"] <= save.seq:
            latest[key] = (index, {"attempt_id": save.attempt_id, "question_id": save.question_id,
                                   "option_ids": chosen, "flagged": save.flagged, "saved_at": now, "seq": save.seq})
    applied = _upsert([row for _, row in latest.values()])
    for key, (index, _) in latest.items():
        outcomes[index] = key in applied
    return outcomes


def _hold_open(attempt_ids, grace_seconds, now):
    """Stamp the attempts that still take saves and that no other transaction holds: {attempt id: its question
    order}. Waiting for one held by a finalize (the sweeper ends a whole class at the close) would hold up every
    page's writes in the group with it (the exam day's close, bench/README.md section 15)."""
    table = Attempt.__table__
    free = (select(table.c.id).where(table.c.id.in_(attempt_ids), *attempts.taking_saves(grace_seconds, now))
            .with_for_update(skip_locked=True, key_share=True))
    rows = db.session.connection().execute(
        update(table).where(table.c.id.in_(free)).values(last_saved_at=now)
        .returning(table.c.id, table.c.question_order))
    return {row.id: row.question_order for row in rows}


def _why_not(attempt_ids, grace_seconds, now):
    """{attempt id: the refusal of its saves} for attempts the stamp left: SaveBusy for one that takes saves as
    last committed (another transaction holds it)."""
    reasons = {attempt_id: attempts.SaveRefused(gettext("This attempt has just ended; the answer was not saved."))
               for attempt_id in attempt_ids}
    if attempt_ids:
        for attempt in db.session.scalars(select(Attempt).where(Attempt.id.in_(attempt_ids))):
            try:
                attempts.check_accepts_saves(attempt, grace_seconds, now)
                reasons[attempt.id] = SaveBusy("Another write holds this attempt; send the answer as a request.")
            except AppError as refusal:
                reasons[attempt.id] = refusal
    return reasons


def _checked(save, questions, closed):
    """The save's options, sorted, once it passes the rules; raises the AppError of the rule it breaks."""
    if save.attempt_id in closed:
        raise closed[save.attempt_id]
    if save.question_id not in questions[save.attempt_id]:
        raise attempts.SaveRefused("That question is not part of this attempt.")
    chosen = sorted(set(save.option_ids))
    attempts.check_options(save.question_id, chosen, frozen=True)
    return chosen


def _upsert(rows):
    """Insert or update the answers, one statement; the (attempt id, question id) of those written."""
    if not rows:
        return set()
    table = Answer.__table__
    statement = dialect_insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.attempt_id, table.c.question_id],
        set_={name: statement.excluded[name] for name in WRITTEN},
        where=table.c.seq <= statement.excluded.seq,
    ).returning(table.c.attempt_id, table.c.question_id)
    return {(row.attempt_id, row.question_id) for row in db.session.connection().execute(statement, rows)}
