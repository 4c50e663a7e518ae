"""Marks for the test maker: a row per student, per-question statistics, a histogram, CSV."""

import csv
import io
from collections import Counter

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.exam import roster
from lti_tool.exam.lifecycle import FINAL, Status
from lti_tool.exam.models import Attempt, GradeOutbox
from lti_tool.spreadsheet import safe_cell

CSV_COLUMNS = ("name", "email", "attempt", "status", "score", "max_score", "percent", "passed", "started_at",
               "finished_at", "minutes_used", "passback")


def student_rows(exam):
    """Every student of the course (including those who never started), with their latest attempt."""
    passback = _latest_passback(exam.id)
    return [_row(exam, user, attempt, passback.get(attempt.id) if attempt else None)
            for user, attempt in roster.students(exam)]


def _latest_passback(exam_id):
    rows = db.session.scalars(
        select(GradeOutbox).join(Attempt, Attempt.id == GradeOutbox.attempt_id)
        .where(Attempt.exam_id == exam_id).order_by(GradeOutbox.id)
    )
    return {row.attempt_id: row for row in rows}


def _row(exam, user, attempt, outbox_row):
    final = attempt is not None and Status(attempt.status) in FINAL
    percent = round(100 * attempt.score / attempt.max_score, 1) if final and attempt.max_score else None
    used = (attempt.finished_at - attempt.started_at).total_seconds() / 60 if final else None
    return {
        "user_id": user.id,
        "name": user.display_name,
        "email": user.email,
        "attempt": attempt.number if attempt else None,
        "attempt_id": attempt.id if attempt else None,
        "status": attempt.status if attempt else "not_started",
        "score": attempt.score if final else None,
        "max_score": attempt.max_score if final else None,
        "percent": percent,
        "passed": None if percent is None or exam.pass_mark is None else percent >= exam.pass_mark,
        "started_at": attempt.started_at.isoformat() if attempt else None,
        "finished_at": attempt.finished_at.isoformat() if final else None,
        "minutes_used": round(used, 1) if used is not None else None,
        "passback": outbox_row and {"id": outbox_row.id, "status": outbox_row.status,
                                    "last_error": outbox_row.last_error, "tries": outbox_row.tries},
    }


def question_stats(exam):
    """Per question: how many answered, percent fully correct, and the most chosen wrong option."""
    finals = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.status.in_([str(s) for s in FINAL]))
    ).all()
    stats = []
    for question in exam.questions:
        results = [r for a in finals for r in (a.breakdown or []) if r["question_id"] == question.id]
        correct = sum(1 for r in results if r["earned"] >= r["points"])
        wrong = Counter(i for r in results for i in r["chosen"] if i not in r["correct"])
        common_wrong = wrong.most_common(1)
        option_text = {o.id: o.text for o in question.options}
        stats.append({
            "question_id": question.id,
            "text": question.text,
            "answered": sum(1 for r in results if r["chosen"]),
            "percent_correct": round(100 * correct / len(results), 1) if results else None,
            "most_chosen_wrong": common_wrong and {"text": option_text.get(common_wrong[0][0]),
                                                   "count": common_wrong[0][1]},
        })
    return stats


def histogram(rows, bins=10):
    """Counts of final percentages in `bins` equal buckets from 0 to 100 (100 falls in the last)."""
    counts = [0] * bins
    for row in rows:
        if row["percent"] is not None:
            counts[min(bins - 1, int(row["percent"] * bins // 100))] += 1
    width = 100 // bins
    return [{"from": i * width, "to": (i + 1) * width, "count": c} for i, c in enumerate(counts)]


def to_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        values = dict(row, passback=row["passback"]["status"] if row["passback"] else "")
        writer.writerow([safe_cell(values[c]) for c in CSV_COLUMNS])
    return out.getvalue()
