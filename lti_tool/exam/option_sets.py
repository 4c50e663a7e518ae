"""Each question's kind and option ids, as an answer save checks the options chosen against them, kept per worker
for the questions whose options can no longer change: those of a student's attempt. Once students have an attempt
at an exam, or have been drawn a bank question, its answers and options stay as they are (exam/services.py,
bank/services.py: only wording changes, in place), so a kept set is never stale. A test maker's preview reads them
each time: its exam may still be edited."""

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam.models import Option, Question

# Questions kept per worker; past this the whole store starts again (a few exams' worth is what one day uses).
MAX_KEPT = 50_000
_kept = {}


def of(question_id, *, frozen):
    """(kind, frozenset of option ids) of the question; kept when `frozen` (a student's attempt has it)."""
    if frozen and question_id in _kept:
        return _kept[question_id]
    rows = db.session.execute(
        select(Option.id, Question.kind).join(Question, Question.id == Option.question_id)
        .where(Option.question_id == question_id)
    ).all()
    found = (rows[0].kind if rows else None, frozenset(option_id for option_id, _ in rows))
    if frozen:
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[question_id] = found
    return found
