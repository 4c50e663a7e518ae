"""Versions of a question's wording. Once students have taken an exam only the wording of its questions may change
(exam/services.py), to fix a typo or a confusing sentence; each such edit keeps the wording it replaces as a version,
and each attempt keeps, when it ends, the version of each of its questions. A review shows a finished attempt the
wording it was answered against, not the wording of today."""

from dataclasses import dataclass, replace

from sqlalchemy import select

from lti_tool.db import db, utcnow
from lti_tool.exam.models import QuestionVersion


def keep_wording(question, now=None):
    """Before `question`'s wording is replaced: keep the current one as its version, and number the next."""
    db.session.add(QuestionVersion(
        question_id=question.id, version=question.version, text=question.text, explanation=question.explanation,
        text_format=question.text_format, option_texts={str(option.id): option.text for option in question.options},
        replaced_at=now or utcnow()))
    question.version += 1


def record(attempt, questions):
    """At the attempt's end: the version of each of its questions."""
    attempt.question_versions = {str(question.id): question.version for question in questions}


@dataclass(frozen=True)
class SeenOption:
    id: int
    text: str
    is_correct: bool
    weight: float | None


@dataclass(frozen=True)
class SeenQuestion:
    """A question with the wording of one of its versions; the scoring is the question's own (it cannot change)."""

    id: int
    kind: str
    points: float
    text: str
    explanation: str | None
    text_format: str
    options: tuple[SeenOption, ...]


def as_seen(attempt, questions):
    """`questions` (the attempt's, in its order) with the wording each had when the attempt ended."""
    seen = [_seen(question) for question in questions]
    current = {question.id: question.version for question in questions}
    older = {int(qid): version for qid, version in (attempt.question_versions or {}).items()
             if version < current.get(int(qid), 0)}
    if not older:
        return seen
    rows = db.session.scalars(select(QuestionVersion).where(
        QuestionVersion.question_id.in_(older))).all()
    wording = {row.question_id: row for row in rows if row.version == older[row.question_id]}
    return [_worded(question, wording[question.id]) if question.id in wording else question for question in seen]


def _seen(question):
    return SeenQuestion(question.id, question.kind, question.points, question.text, question.explanation,
                        question.text_format, tuple(SeenOption(o.id, o.text, o.is_correct, o.weight)
                                                    for o in question.options))


def _worded(question, version):
    options = tuple(replace(option, text=version.option_texts.get(str(option.id), option.text))
                    for option in question.options)
    return replace(question, text=version.text, explanation=version.explanation, text_format=version.text_format,
                   options=options)
