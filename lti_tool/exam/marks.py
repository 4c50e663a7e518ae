"""Marks for the test maker: a row per student with every attempt and the grade, per-question statistics, a
histogram, CSV."""

import csv
import io
from collections import Counter, defaultdict

from sqlalchemy import select

from lti_tool.content import rich_text
from lti_tool.db import db
from lti_tool.exam import gradebook, roster
from lti_tool.exam.attempts import questions_by_id
from lti_tool.exam.lifecycle import FINAL, Status
from lti_tool.exam.models import Attempt, GradeOutbox
from lti_tool.spreadsheet import safe_cell

CSV_COLUMNS = ("name", "email", "attempt", "status", "score", "max_score", "percent", "started_at", "finished_at",
               "minutes_used", "counts_toward_grade", "grade", "grade_max_score", "grade_percent", "passed",
               "grading_method", "passback")


def student_rows(exam):
    """Every student of the course (including those who never started): their latest attempt, every attempt
    with whether it counts toward the grade, the grade the exam's grading method makes, and its passback."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.exam_id == exam.id, Attempt.is_preview.is_(False))
                                  .order_by(Attempt.number)).all()
    by_user = {}
    for attempt in attempts:
        by_user.setdefault(attempt.user_id, []).append(attempt)
    grades = gradebook.grades(exam, attempts)
    passback = _latest_passback(exam.id)
    return [_row(exam, user, by_user.get(user.id, []), grades.get(user.id), passback.get(user.id))
            for user, _ in roster.students(exam)]


def _latest_passback(exam_id):
    """{user id: the latest score queued for them in this exam}."""
    rows = db.session.scalars(
        select(GradeOutbox).join(Attempt, Attempt.id == GradeOutbox.attempt_id)
        .where(Attempt.exam_id == exam_id).order_by(GradeOutbox.timestamp, GradeOutbox.id)
    )
    return {row.user_id: row for row in rows}


def _row(exam, user, attempts, grade, outbox_row):
    latest = attempts[-1] if attempts else None
    counting = set(grade.counting) if grade else set()
    grade_percent = _percent(grade.score_given, grade.score_maximum) if grade else None
    return {
        "user_id": user.id,
        "name": user.display_name,
        "email": user.email,
        **_attempt_fields(latest, counting),
        "attempts": [_attempt_fields(attempt, counting) for attempt in attempts],
        "grade": grade and {"score": grade.score_given, "max_score": grade.score_maximum, "percent": grade_percent,
                            "method": exam.grading_method},
        "passed": None if grade_percent is None or exam.pass_mark is None else grade_percent >= exam.pass_mark,
        "passback": outbox_row and {"id": outbox_row.id, "status": outbox_row.status,
                                    "last_error": outbox_row.last_error, "tries": outbox_row.tries},
    }


def _attempt_fields(attempt, counting):
    final = attempt is not None and Status(attempt.status) in FINAL
    used = (attempt.finished_at - attempt.started_at).total_seconds() / 60 if final else None
    return {
        "attempt": attempt.number if attempt else None,
        "attempt_id": attempt.id if attempt else None,
        "status": attempt.status if attempt else "not_started",
        "score": attempt.score if final else None,
        "max_score": attempt.max_score if final else None,
        "percent": _percent(attempt.score, attempt.max_score) if final else None,
        "started_at": attempt.started_at.isoformat() if attempt else None,
        "finished_at": attempt.finished_at.isoformat() if final else None,
        "minutes_used": round(used, 1) if used is not None else None,
        "counts_toward_grade": attempt is not None and attempt.id in counting,
    }


def _percent(score, maximum):
    return round(100 * score / maximum, 1) if maximum else None


def question_stats(exam):
    """Per question: how many answered, percent fully correct, and the most chosen wrong option."""
    finals = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.is_preview.is_(False),
                              Attempt.status.in_([str(s) for s in FINAL]))
    ).all()
    # Grouped once: with random draws an exam may hold hundreds of questions, each in a few of the attempts.
    by_question = defaultdict(list)
    for attempt in finals:
        for result in attempt.breakdown or []:
            by_question[result["question_id"]].append(result)
    own = list(exam.questions)
    # The course bank's questions the attempts drew come after the exam's own, by category.
    known = {question.id for question in own}
    drawn = questions_by_id([qid for qid in by_question if qid not in known]).values()
    stats = []
    for question in own + sorted(drawn, key=lambda q: (q.category, q.position, q.id)):
        results = by_question[question.id]
        correct = sum(1 for r in results if r["earned"] >= r["points"])
        wrong = Counter(i for r in results for i in r["chosen"] if i not in r["correct"])
        common_wrong = wrong.most_common(1)
        option_text = {o.id: rich_text.to_plain(o.text, question.text_format) for o in question.options}
        stats.append({
            "question_id": question.id,
            "text": question.text,
            "html": rich_text.to_html(question.text, question.text_format),
            "category": question.category,
            "from_bank": question.bank_course_id is not None,
            "seen": len(results),  # the attempts that had it: all of them, unless it was drawn at random
            "answered": sum(1 for r in results if r["chosen"]),
            "percent_correct": round(100 * correct / len(results), 1) if results else None,
            "most_chosen_wrong": common_wrong and {"text": option_text.get(common_wrong[0][0]),
                                                   "count": common_wrong[0][1]},
        })
    return stats


def histogram(rows, bins=10):
    """Counts of the students' graded percentages in `bins` equal buckets from 0 to 100 (100 falls in the last)."""
    counts = [0] * bins
    for row in rows:
        if row["grade"] and row["grade"]["percent"] is not None:
            counts[min(bins - 1, int(row["grade"]["percent"] * bins // 100))] += 1
    width = 100 // bins
    return [{"from": i * width, "to": (i + 1) * width, "count": c} for i, c in enumerate(counts)]


def to_csv(rows):
    """A line per attempt (a student who never started has one, with no attempt), each with the student's grade."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        grade = row["grade"] or {}
        student = {"name": row["name"], "email": row["email"], "grade": grade.get("score"),
                   "grade_max_score": grade.get("max_score"), "grade_percent": grade.get("percent"),
                   "passed": row["passed"], "grading_method": grade.get("method"),
                   "passback": row["passback"]["status"] if row["passback"] else ""}
        for attempt in row["attempts"] or [_attempt_fields(None, set())]:
            values = {**attempt, **student}
            writer.writerow([safe_cell(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()
