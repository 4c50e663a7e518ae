"""Exam pages and the JSON API they use. Pages are shells; their scripts call the API with the launch
token. Handlers parse input, call one service, and answer."""

from flask import Blueprint, Response, current_app, g, render_template, request

from lti_tool import body_limits
from lti_tool.content import rich_text
from lti_tool.db import utcnow
from lti_tool.errors import AppError
from lti_tool.exam import (
    attempts,
    copies,
    draws,
    marks,
    outbox,
    preview,
    proctors,
    publishing,
    question_copies,
    question_files,
    review,
    services,
    timer,
    versions,
)
from lti_tool.exam.lifecycle import FINAL, Status
from lti_tool.i18n import localised
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole
from lti_tool.metrics.registry import ANSWER_SAVE_SECONDS

bp = Blueprint("exam", __name__)
MAKER = ToolRole.TEST_MAKER
STUDENT = ToolRole.STUDENT


def _origin():
    return request.remote_addr or "unknown"


def actor():
    """Who acts and from where, as the services record it."""
    return {"actor_user_id": g.launch.user_id, "origin": _origin()}


def json_body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise AppError("The request body must be a JSON object.")
    return body


def _grace():
    return current_app.config["ANSWER_GRACE_SECONDS"]


def _my_exam(exam_id):
    return services.get_exam(g.launch.course_id, exam_id)


# --- pages --------------------------------------------------------------------------------------

@bp.get("/exam/lobby")
@localised
def lobby():
    return render_template("exam/lobby.html")


@bp.get("/exam/manage")
def manage():
    return render_template("exam/manage.html")


@bp.get("/exam/attempt")
@localised
def take():
    return render_template("exam/attempt.html")


@bp.get("/exam/review")
@localised
def review_page():
    return render_template("exam/review.html")


@bp.get("/exam/edit")
def edit():
    return render_template("exam/edit.html", import_max_bytes=IMPORT_MAX_BYTES)


@bp.get("/exam/marks")
def marks_page():
    return render_template("exam/marks.html")


# --- authoring API ------------------------------------------------------------------------------

@bp.get("/api/exams")
@access.require_launch(MAKER, ToolRole.PROCTOR)
def list_exams():
    return {"exams": [exam_summary(e) for e in services.list_exams(g.launch.course_id)]}


@bp.post("/api/exams")
@access.require_launch(MAKER)
def create_exam():
    body = json_body()
    exam = services.create_exam(g.launch.course_id, body.pop("title", None), fields=body, **actor())
    return exam_detail(exam), 201


@bp.get("/api/exams/<int:exam_id>")
@access.require_launch(MAKER)
def get_exam(exam_id):
    return exam_detail(_my_exam(exam_id))


@bp.patch("/api/exams/<int:exam_id>")
@access.require_launch(MAKER)
def update_exam(exam_id):
    return exam_detail(services.update_exam(_my_exam(exam_id), json_body(), **actor()))


@bp.delete("/api/exams/<int:exam_id>")
@access.require_launch(MAKER)
def delete_exam(exam_id):
    services.delete_exam(_my_exam(exam_id), **actor())
    return "", 204


@bp.post("/api/exams/<int:exam_id>/duplicate")
@access.require_launch(MAKER)
def duplicate_exam(exam_id):
    return exam_detail(copies.duplicate_exam(_my_exam(exam_id), **actor())), 201


@bp.post("/api/exams/<int:exam_id>/archive")
@access.require_launch(MAKER)
def archive_exam(exam_id):
    services.archive_exam(_my_exam(exam_id), **actor())
    return "", 204


@bp.post("/api/exams/<int:exam_id>/bind")
@access.require_launch(MAKER)
def bind_exam(exam_id):
    services.bind_link(_my_exam(exam_id), g.launch.resource_link_id, **actor())
    return "", 204


@bp.post("/api/exams/<int:exam_id>/publish")
@access.require_launch(MAKER)
def publish_exam(exam_id):
    return exam_detail(publishing.publish(_my_exam(exam_id), **actor()))


@bp.post("/api/exams/<int:exam_id>/unpublish")
@access.require_launch(MAKER)
def unpublish_exam(exam_id):
    return exam_detail(publishing.unpublish(_my_exam(exam_id), **actor()))


@bp.post("/api/exams/<int:exam_id>/close")
@access.require_launch(MAKER)
def close_exam(exam_id):
    ended = attempts.close_exam(_my_exam(exam_id), **actor())
    return {"attempts_ended": ended}


@bp.post("/api/exams/<int:exam_id>/questions")
@access.require_launch(MAKER)
def add_question(exam_id):
    exam = _my_exam(exam_id)
    [question] = services.add_questions(exam, [services.parse_question_body(json_body())], **actor())
    return services.question_json(question, with_answers=True), 201


@bp.put("/api/exams/<int:exam_id>/questions/<int:question_id>")
@access.require_launch(MAKER)
def update_question(exam_id, question_id):
    exam = _my_exam(exam_id)
    question = services.get_question(exam, question_id)
    parsed = services.parse_question_body(json_body())
    return services.question_json(services.update_question(exam, question, parsed, **actor()), with_answers=True)


@bp.delete("/api/exams/<int:exam_id>/questions/<int:question_id>")
@access.require_launch(MAKER)
def delete_question(exam_id, question_id):
    exam = _my_exam(exam_id)
    services.delete_question(exam, services.get_question(exam, question_id), **actor())
    return "", 204


@bp.put("/api/exams/<int:exam_id>/questions/order")
@access.require_launch(MAKER)
def reorder_questions(exam_id):
    exam = _my_exam(exam_id)
    services.reorder_questions(exam, json_body().get("order"), **actor())
    return exam_detail(exam)


@bp.get("/api/exams/<int:exam_id>/draws")
@access.require_launch(MAKER)
def exam_draws(exam_id):
    return draws.summary(_my_exam(exam_id))


@bp.put("/api/exams/<int:exam_id>/draws")
@access.require_launch(MAKER)
def set_exam_draws(exam_id):
    return draws.summary(draws.set_rules(_my_exam(exam_id), json_body().get("draws"), **actor()))


@bp.get("/api/exams/<int:exam_id>/question-sources")
@access.require_launch(MAKER)
def question_sources(exam_id):
    exam = _my_exam(exam_id)
    return {"exams": question_copies.sources(exam.course_id, g.launch.user_id, besides=exam.id)}


@bp.get("/api/exams/<int:exam_id>/question-sources/<int:source_id>")
@access.require_launch(MAKER)
def source_questions(exam_id, source_id):
    exam = _my_exam(exam_id)
    return {"questions": question_copies.source_questions(exam.course_id, source_id, g.launch.user_id,
                                                          besides=exam.id)}


@bp.post("/api/exams/<int:exam_id>/questions/copy")
@access.require_launch(MAKER)
def copy_questions(exam_id):
    body = json_body()
    if body.get("bank") is True:
        copied = question_copies.copy_from_bank(_my_exam(exam_id), body.get("question_ids"), **actor())
    else:
        copied = question_copies.copy(_my_exam(exam_id), body.get("exam_id"), body.get("question_ids"), **actor())
    return {"copied": len(copied)}, 201


# A question file with its pictures may be larger than any other request (MAX_CONTENT_LENGTH).
IMPORT_MAX_BYTES = question_files.MAX_BYTES


@bp.post("/api/exams/<int:exam_id>/import")
@access.require_launch(MAKER)
@body_limits.allows_body(IMPORT_MAX_BYTES)
def import_questions(exam_id):
    upload, dry_run = uploaded_questions()
    read = services.import_file(_my_exam(exam_id), upload.read(), upload.filename, dry_run=dry_run, **actor())
    return import_json(read, dry_run)


def uploaded_questions():
    """The question file of an import request, and whether it is only to be checked."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise AppError("Choose a CSV, JSON, GIFT, Moodle XML or QTI file to import.")
    return upload, request.args.get("dry_run", "1") != "0"


def import_json(read, dry_run):
    """What an import (or its dry run) answers: every question read, and those of other types left out."""
    parsed = read.questions
    return {"dry_run": dry_run, "count": len(parsed),
            "skipped": [{"line": s.line, "name": s.name, "type": s.type} for s in read.skipped],
            "questions": [{"line": q.line, "type": q.kind, "text": q.text, "html": rich_text.to_html(q.text, q.format),
                           "points": q.points, "category": q.category, "tags": list(q.tags),
                           "options": [{"text": o.text, "html": rich_text.to_html(o.text, q.format),
                                        "correct": o.correct, "weight": o.weight}
                                       for o in q.options]} for q in parsed]}


@bp.get("/api/exams/<int:exam_id>/export")
@access.require_launch(MAKER)
def export_questions(exam_id):
    exam = _my_exam(exam_id)
    return export_response(exam.questions, f"exam-{exam.id}-questions")


def export_response(questions, name):
    """A download of `questions` in the format the request asks for."""
    fmt = request.args.get("format", "json")
    if fmt not in EXPORTS:
        raise AppError("Export as json, moodle_xml or qti.")
    mimetype, extension = EXPORTS[fmt]
    return Response(services.export_questions(questions, fmt), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


EXPORTS = {"json": ("application/json", "json"), "moodle_xml": ("application/xml", "xml"),
           "qti": ("application/zip", "zip")}


@bp.put("/api/exams/<int:exam_id>/accommodations/<int:user_id>")
@access.require_launch(MAKER)
def set_accommodation(exam_id, user_id):
    body = json_body()
    row = services.set_accommodation(_my_exam(exam_id), user_id, extra_minutes=body.get("extra_minutes", 0),
                                     time_multiplier=body.get("time_multiplier", 1.0), **actor())
    return {"user_id": row.user_id, "extra_minutes": row.extra_minutes, "time_multiplier": row.time_multiplier}


@bp.put("/api/exams/<int:exam_id>/proctors")
@access.require_launch(MAKER)
def set_proctors(exam_id):
    body = json_body()
    people = proctors.set_listed(_my_exam(exam_id), user_ids=body.get("user_ids"), emails=body.get("emails"),
                                 **actor())
    return {"proctors": [person_json(p) for p in people]}


@bp.get("/api/exams/<int:exam_id>/proctor-candidates")
@access.require_launch(MAKER)
def proctor_candidates(exam_id):
    """People of the course to pick as the exam's proctors, by name, email or login name (`q`)."""
    found = proctors.candidates(_my_exam(exam_id), request.args.get("q", ""))
    return {"candidates": [dict(person_json(person), roles=roles) for person, roles in found],
            "limit": proctors.MAX_CANDIDATES}


@bp.get("/api/exams/<int:exam_id>/marks")
@access.require_launch(MAKER)
def exam_marks(exam_id):
    exam = _my_exam(exam_id)
    rows = marks.student_rows(exam)
    return {"students": rows, "questions": marks.question_stats(exam), "histogram": marks.histogram(rows),
            "grading_method": exam.grading_method}


@bp.get("/api/exams/<int:exam_id>/marks.csv")
@access.require_launch(MAKER)
def exam_marks_csv(exam_id):
    exam = _my_exam(exam_id)
    return Response(marks.to_csv(marks.student_rows(exam)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="exam-{exam.id}-marks.csv"'})


@bp.get("/api/exams/<int:exam_id>/audit")
@access.require_launch(MAKER)
def exam_audit(exam_id):
    exam = _my_exam(exam_id)
    entries = services.audit_entries(exam, request.args.get("attempt_id", type=int))
    names = services.user_names({e.actor_user_id for e in entries if e.actor_user_id})
    return {"entries": [audit_json(e, names.get(e.actor_user_id)) for e in entries]}


@bp.post("/api/exams/<int:exam_id>/passback/<int:row_id>/resend")
@access.require_launch(MAKER)
def resend_grade(exam_id, row_id):
    row = services.outbox_row(_my_exam(exam_id), row_id)
    outbox.resend(row)
    return {"id": row.id, "status": row.status}


# --- taking an exam -----------------------------------------------------------------------------

@bp.get("/api/exams/current")
@access.require_launch()
def current_exam():
    """The exam bound to the resource link this launch came from, with the student's standing."""
    exam = services.bound_exam(g.launch.course_id, g.launch.resource_link_id)
    if exam is None:
        return {"exam": None}
    if not publishing.is_published(exam) and not g.launch.has_any(MAKER):
        return {"exam": None, "message": publishing.NOT_OPEN}
    return {"exam": exam_summary(exam), "standing": attempts.standing(
        exam, g.launch.user_id, grace_seconds=_grace(), student=g.launch.has_any(STUDENT))}


@bp.get("/api/exams/current/copy-offer")
@access.require_launch(MAKER)
def copy_offer():
    """The exam of another course this link names (its course was copied into a new term), offered as a copy."""
    offer = copies.offer(g.launch)
    return {"offer": offer and offer_json(offer)}


@bp.post("/api/exams/current/copy-offer/accept")
@access.require_launch(MAKER)
def accept_copy_offer():
    return exam_detail(copies.accept(g.launch, origin=_origin()))


@bp.post("/api/exams/<int:exam_id>/attempts")
@access.require_launch(STUDENT)
def start_attempt(exam_id):
    exam = _my_exam(exam_id)
    services.require_link_exam(exam, g.launch.resource_link_id)
    body = request.get_json(silent=True)
    attempt = attempts.start_or_resume(exam, g.launch.user_id, resource_link_id=g.launch.resource_link_id,
                                       origin=_origin(), grace_seconds=_grace(),
                                       check=body.get("check") if isinstance(body, dict) else None)
    return attempt_state(attempt)


@bp.post("/api/exams/<int:exam_id>/preview")
@access.require_launch(MAKER)
def preview_exam(exam_id):
    """The test maker takes the exam as a student would, recording nothing of the exam's (exam/preview.py)."""
    attempt = preview.start_or_resume(_my_exam(exam_id), g.launch.user_id, origin=_origin(), grace_seconds=_grace())
    return attempt_state(attempt)


def _my_attempt(attempt_id):
    """The launch's own attempt; a test maker's launch reaches only their previews."""
    return attempts.attempt_for_student(attempt_id, g.launch.user_id, g.launch.course_id, grace_seconds=_grace(),
                                        previews_only=not g.launch.has_any(STUDENT))


@bp.get("/api/attempts/<int:attempt_id>")
@access.require_launch(STUDENT, MAKER)
def get_attempt(attempt_id):
    return attempt_state(_my_attempt(attempt_id))


@bp.get("/api/attempts/<int:attempt_id>/review")
@access.require_launch(STUDENT)
def review_attempt(attempt_id):
    return review.review(_my_attempt(attempt_id), utcnow())


@bp.put("/api/attempts/<int:attempt_id>/answers/<int:question_id>")
@ANSWER_SAVE_SECONDS.time()
@access.require_launch(STUDENT, MAKER)
def save_answer(attempt_id, question_id):
    body = json_body()
    saved_at, applied = attempts.save_answer(attempt_id, question_id, body.get("option_ids"),
                                             user_id=g.launch.user_id, course_id=g.launch.course_id,
                                             flagged=body.get("flagged", False), seq=body.get("seq"),
                                             grace_seconds=_grace())
    # `superseded`: a later save of this question is already stored, so this one changed nothing.
    return {"saved": True, "question_id": question_id, "saved_at": saved_at.isoformat(), "superseded": not applied}


@bp.put("/api/attempts/<int:attempt_id>/position")
@access.require_launch(STUDENT, MAKER)
def set_position(attempt_id):
    position = json_body().get("position")
    if not isinstance(position, int) or isinstance(position, bool):
        raise AppError("position must be a question number (from 0).")
    attempts.set_position(_my_attempt(attempt_id), position)
    return "", 204


@bp.post("/api/attempts/<int:attempt_id>/submit")
@access.require_launch(STUDENT, MAKER)
def submit_attempt(attempt_id):
    return attempt_state(attempts.submit(_my_attempt(attempt_id), origin=_origin()))


# --- shapes -------------------------------------------------------------------------------------

def exam_summary(exam):
    questions, per_attempt = draws.question_counts(exam)
    return {
        "id": exam.id, "title": exam.title, "instructions": exam.instructions,
        "opens_at": exam.opens_at and exam.opens_at.isoformat(),
        "closes_at": exam.closes_at and exam.closes_at.isoformat(),
        "closed": exam.closed_at is not None, "duration_minutes": exam.duration_minutes,
        "attempts_allowed": exam.attempts_allowed, "questions": questions, "questions_per_attempt": per_attempt,
        "require_fullscreen": exam.require_fullscreen,
        "published": publishing.is_published(exam),
    }


def exam_detail(exam):
    return {
        **exam_summary(exam),
        "settings": {name: _setting(getattr(exam, name)) for name in services.settings.FIELDS},
        "has_attempts": services.has_attempts(exam.id),
        "problems": publishing.problems(exam),
        "proctors": [person_json(p) for p in proctors.listed(exam)],
        "accommodations": [{"user_id": row.user_id, "name": user.display_name, "extra_minutes": row.extra_minutes,
                            "time_multiplier": row.time_multiplier} for row, user in services.accommodations(exam)],
        "question_list": [services.question_json(q, with_answers=True) for q in exam.questions],
        "draws": draws.summary(exam),
    }


def offer_json(offer):
    """What the test maker is told: the exam and its course only when they may copy it."""
    if offer.refusal:
        return {"allowed": False, "reason": offer.refusal, "hint": copies.NO_COPY_HINT}
    return {"allowed": True, "exam": {"title": offer.source.title, "questions": len(offer.source.questions),
                                      "course": offer.source_course.display_name}}


def person_json(user):
    return {"user_id": user.id, "name": user.display_name, "email": user.email}


def audit_json(entry, actor_name):
    return {"id": entry.id, "at": entry.at.isoformat(), "actor": entry.actor_user_id, "actor_name": actor_name,
            "action": entry.action,
            "target": f"{entry.target_type}:{entry.target_id}", "data": entry.data, "origin": entry.origin}


def _preview_score(attempt):
    """A test maker's preview shows its score whatever the exam's review options say."""
    return attempt.is_preview and {"score": attempt.score, "max_score": attempt.max_score}


def _setting(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def attempt_state(attempt):
    """What the student's page needs: never the right answers (those are the review's, exam/review.py)."""
    now = utcnow()
    exam = attempt.exam
    final = Status(attempt.status) in FINAL
    ordered = attempts.questions_in_order(attempt)
    # A finished attempt shows the wording it was answered against, as its review does (exam/versions.py).
    questions = {q.id: q for q in (versions.as_seen(attempt, ordered) if final else ordered)}
    answers = {} if attempt.drawn is not None else attempts.answers_of(attempt.id)  # just started: none yet
    state = {
        "id": attempt.id,
        "exam": {"id": exam.id, "title": exam.title, "instructions": exam.instructions,
                 "require_fullscreen": exam.require_fullscreen},
        "status": attempt.status, "number": attempt.number, "position": attempt.position,
        "preview": attempt.is_preview,
        "deadline": attempt.deadline.isoformat(), "now": now.isoformat(),
        "seconds_left": 0 if final else timer.seconds_left(attempt, now),
        # The highest order number of the saves stored: a page numbers its saves after it.
        "seq": max((answer.seq for answer in answers.values()), default=0),
        "review": review.timing(exam),
        "questions": [],
    }
    for qid in attempt.question_order:
        question = questions.get(qid)
        if question is None:  # deleted from the exam while a test maker's preview was open
            continue
        by_id = {o.id: o for o in question.options}
        answer = answers.get(qid)
        fmt = question.text_format
        state["questions"].append({
            "id": qid, "type": question.kind, "text": question.text, "html": rich_text.to_html(question.text, fmt),
            "points": question.points,
            "options": [{"id": oid, "text": by_id[oid].text, "html": rich_text.to_html(by_id[oid].text, fmt)}
                        for oid in attempt.option_order[str(qid)] if oid in by_id],
            "chosen": answer.option_ids if answer else [],
            "flagged": bool(answer and answer.flagged),
        })
    if final:
        state["result"] = {"finished_at": attempt.finished_at.isoformat(), "reason": attempt.finish_reason,
                           "review_available": bool(review.shown(exam, attempt, now)),
                           **(_preview_score(attempt) or review.score_if_shown(attempt, now) or {})}
    return state
