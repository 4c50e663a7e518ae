"""A student's review of a finished attempt, as the exam's review options allow (Moodle quiz's "review options"):
when it opens (never, as soon as the attempt ends, or once the exam has closed) and what it shows (the score; the
student's answers and whether each is right; the right answers; the explanations). This module alone decides
what leaves the server: a part the options hide is never in the review, nor in the attempt's state."""

from sqlalchemy import select

from lti_tool.content import rich_text
from lti_tool.db import db
from lti_tool.errors import AppError
from lti_tool.exam import attempts, gradebook, timer, versions
from lti_tool.exam.lifecycle import FINAL, Status
from lti_tool.exam.models import Attempt

NEVER, IMMEDIATELY, AFTER_CLOSE = "never", "immediately", "after_close"
TIMINGS = (NEVER, IMMEDIATELY, AFTER_CLOSE)
# The exam's columns, one per part a review can show.
SCORE, ANSWERS, RIGHT_ANSWERS, EXPLANATIONS = "review_score", "review_answers", "review_right_answers", \
    "review_explanations"
PARTS = (SCORE, ANSWERS, RIGHT_ANSWERS, EXPLANATIONS)


class ReviewRefused(AppError):
    http_status = 409
    code = "review_refused"
    title = "This attempt has no review yet"


def timing(exam):
    """When reviews of this exam open, for the pages to say: before submitting and while a review is closed."""
    closes_at = timer.window_end(exam)
    return {"when": exam.review_when, "closes_at": closes_at and closes_at.isoformat()}


def shown(exam, attempt, now):
    """The parts of this attempt's review the student may see now (none while the attempt is open)."""
    if Status(attempt.status) not in FINAL or not _opened(exam, now):
        return frozenset()
    return frozenset(part for part in PARTS if getattr(exam, part))


def _opened(exam, now):
    if exam.review_when == IMMEDIATELY:
        return True
    end = timer.window_end(exam)
    return exam.review_when == AFTER_CLOSE and end is not None and now >= end


def review(attempt, now):
    """The review of the student's finished attempt, holding only the parts shown now."""
    if Status(attempt.status) not in FINAL:
        raise ReviewRefused("This attempt is still in progress: its review comes once it has ended.")
    exam = attempt.exam
    parts = shown(exam, attempt, now)
    mine = _finished_attempts(exam.id, attempt.user_id)
    body = {
        "attempt": {"id": attempt.id, "number": attempt.number, "status": attempt.status,
                    "finished_at": attempt.finished_at.isoformat(), "reason": attempt.finish_reason},
        "exam": {"id": exam.id, "title": exam.title},
        "timing": timing(exam),
        "available": bool(parts),
        "shows": sorted(part.removeprefix("review_") for part in parts),
        "attempts": [{"id": a.id, "number": a.number, "status": a.status} for a in mine],
    }
    if SCORE in parts:
        body["score"] = _marks(attempt.score, attempt.max_score, exam.pass_mark)
        body["grade"] = _grade(exam, mine, attempt)
    if parts - {SCORE}:
        body["questions"] = _questions(attempt, parts)
    return body


def score_if_shown(attempt, now):
    """The attempt's score and maximum for its end screen and the lobby, or None while the review hides it."""
    if SCORE not in shown(attempt.exam, attempt, now):
        return None
    return {"score": attempt.score, "max_score": attempt.max_score}


def _finished_attempts(exam_id, user_id):
    return db.session.scalars(select(Attempt).where(
        Attempt.exam_id == exam_id, Attempt.user_id == user_id, Attempt.status.in_([str(s) for s in FINAL]),
    ).order_by(Attempt.number)).all()


def _marks(score, maximum, pass_mark):
    percent = round(score / maximum * 100, 1) if maximum else None
    passed = None if pass_mark is None or percent is None else percent >= pass_mark
    return {"score": score, "max_score": maximum, "percent": percent, "pass_mark": pass_mark, "passed": passed}


def _grade(exam, finished, attempt):
    """The grade that counts (the exam's grading method over the student's finished attempts)."""
    grade = gradebook.grades(exam, finished)[attempt.user_id]
    return {**_marks(grade.score_given, grade.score_maximum, exam.pass_mark), "method": exam.grading_method,
            "attempts": len(finished), "counts": attempt.id in grade.counting}


def _questions(attempt, parts):
    results = {item["question_id"]: item for item in attempt.breakdown or []}
    questions = []
    for number, question in enumerate(versions.as_seen(attempt, attempts.questions_in_order(attempt)), start=1):
        result = results.get(question.id)
        if result is None:
            continue
        by_id = {o.id: o for o in question.options}
        options = []
        for option_id in attempt.option_order[str(question.id)]:
            if option_id not in by_id:
                continue
            text = by_id[option_id].text
            option = {"id": option_id, "text": text, "html": rich_text.to_html(text, question.text_format)}
            if ANSWERS in parts:
                option["chosen"] = option_id in result["chosen"]
            if RIGHT_ANSWERS in parts:
                option["correct"] = option_id in result["correct"]
            options.append(option)
        item = {"number": number, "id": question.id, "type": question.kind, "text": question.text,
                "html": rich_text.to_html(question.text, question.text_format),
                "points": question.points, "options": options}
        if ANSWERS in parts:
            item["outcome"] = _outcome(result)
        if ANSWERS in parts and SCORE in parts:
            item["earned"] = result["earned"]
        if EXPLANATIONS in parts:
            item["explanation"] = question.explanation
            item["explanation_html"] = rich_text.to_html(question.explanation, question.text_format)
        questions.append(item)
    return questions


def _outcome(result):
    if not result["chosen"]:
        return "not answered"
    if result["earned"] >= result["points"]:
        return "right"
    return "partly right" if result["earned"] > 0 else "wrong"
