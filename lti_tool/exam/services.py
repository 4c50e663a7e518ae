"""The exam domain's entry point for authoring: exams, questions, imports, accommodations,
binding to resource links. Views call these; these never read the request."""

import json
import logging

from sqlalchemy import exists, func, select

from lti_tool import audit
from lti_tool.audit import AuditEntry
from lti_tool.content import images, rich_text
from lti_tool.content.models import QuestionImage
from lti_tool.db import db, utcnow
from lti_tool.errors import Forbidden, NotFound
from lti_tool.exam import copies, gradebook, moodle_xml, qti, question_files, settings, versions
from lti_tool.exam.errors import EditRefused, InvalidExam
from lti_tool.exam.models import Accommodation, Attempt, Exam, GradeOutbox, Option, Question
from lti_tool.identity.models import Membership, ResourceLink, User

log = logging.getLogger(__name__)


# --- exams --------------------------------------------------------------------------------------

def list_exams(course_id):
    return db.session.scalars(
        select(Exam).where(Exam.course_id == course_id, Exam.archived_at.is_(None)).order_by(Exam.id)
    ).all()


def get_exam(course_id, exam_id):
    """An exam of this course; another course's exam is reported as not found."""
    try:
        exam = db.session.get(Exam, int(exam_id))
    except (TypeError, ValueError):
        raise InvalidExam(f"{exam_id!r} is not an exam id.") from None
    if exam is None or exam.course_id != course_id:
        raise NotFound("That exam does not exist in this course.")
    return exam


def bound_exam(course_id, resource_link_id):
    """The exam a resource link of this course runs, or None while it is unbound."""
    link = db.session.get(ResourceLink, resource_link_id) if resource_link_id else None
    if link is None or link.course_id != course_id or link.exam_id is None:
        return None
    return db.session.get(Exam, link.exam_id)


def has_attempts(exam_id):
    """Whether a student has an attempt at the exam (a test maker's preview is none)."""
    return db.session.scalar(select(exists().where(Attempt.exam_id == exam_id, Attempt.is_preview.is_(False))))


def create_exam(course_id, title, *, actor_user_id, origin, fields=None):
    values = settings.parse({"title": title if title is not None else "", **(fields or {})})
    exam = Exam(course_id=course_id, created_by=actor_user_id, **values)
    db.session.add(exam)
    db.session.flush()
    audit.record("exam.created", "exam", exam.id, actor_user_id=actor_user_id, course_id=course_id,
                 data=_jsonable(values), origin=origin)
    db.session.commit()
    return exam


def update_exam(exam, data, *, actor_user_id, origin):
    values = settings.parse(data, current=exam)
    frozen = sorted(settings.SCORING_FIELDS & values.keys())
    if frozen and has_attempts(exam.id) and any(getattr(exam, f) != values[f] for f in frozen):
        raise EditRefused(f"{', '.join(frozen)} cannot change: students have already taken this exam, and "
                          "their scores would no longer match.")
    method = exam.grading_method
    changes = {name: _jsonable({"from": getattr(exam, name), "to": value})
               for name, value in values.items() if getattr(exam, name) != value}
    for name, value in values.items():
        setattr(exam, name, value)
    if changes:
        audit.record("exam.updated", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                     data=changes, origin=origin)
    if exam.grading_method != method:
        queued = gradebook.method_changed(exam, utcnow())
        audit.record("exam.grading_method_changed", "exam", exam.id, actor_user_id=actor_user_id,
                     course_id=exam.course_id, origin=origin,
                     data={"from": method, "to": exam.grading_method, "grades_queued": len(queued)})
    db.session.commit()
    return exam


def delete_exam(exam, *, actor_user_id, origin):
    """Delete an exam nobody has taken; once attempts exist, it can only be archived."""
    if has_attempts(exam.id):
        raise EditRefused("Students have taken this exam, so it cannot be deleted. Archive it instead.")
    audit.record("exam.deleted", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"title": exam.title}, origin=origin)
    db.session.delete(exam)
    db.session.commit()


def archive_exam(exam, *, actor_user_id, origin):
    exam.archived_at = utcnow()
    audit.record("exam.archived", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 origin=origin)
    db.session.commit()


def bind_link(exam, resource_link_id, *, actor_user_id, origin):
    """Make a resource link of the exam's course run this exam."""
    link = db.session.get(ResourceLink, resource_link_id) if resource_link_id else None
    if link is None or link.course_id != exam.course_id:
        raise NotFound("This launch has no course link to bind.")
    if link.exam_id not in (None, exam.id) and _taken_through(link):
        # The link's gradebook column holds that exam's grades; another exam's would land beside them.
        raise EditRefused(f"Students have already taken “{db.session.get(Exam, link.exam_id).title}” through this "
                          "course link, and its "
                          "gradebook column holds those grades.",
                          hint="Add the tool to the course again (a new link) for another exam.")
    link.exam_id = exam.id
    audit.record("link.bound", "resource_link", link.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"exam_id": exam.id}, origin=origin)
    db.session.commit()


def _taken_through(link):
    return db.session.scalar(select(exists().where(Attempt.resource_link_id == link.id,
                                                   Attempt.exam_id == link.exam_id, Attempt.is_preview.is_(False))))


def require_link_exam(exam, resource_link_id):
    """A student takes an exam only through the course link that opens it (so its grade reaches that link's
    column, and an exam no link opens yet cannot be taken at all)."""
    link = db.session.get(ResourceLink, resource_link_id) if resource_link_id else None
    if link is None or link.exam_id != exam.id:
        raise Forbidden("This exam is not the one your course link opens.",
                        hint="Open the exam from its own link on your course page.")


def bind_link_from_custom(link, custom_exam_id):
    """Bind an unbound resource link (a row as a launch read it) to the exam of its course its deep-linking custom
    parameter names; the link's exam. An exam of another course is never bound: the link offers its test maker a
    copy (a course copied into a new term)."""
    if link.exam_id is not None or not custom_exam_id:
        return link.exam_id
    try:
        exam_id = int(custom_exam_id)
    except (TypeError, ValueError):
        log.info("resource link %s carries a malformed exam_id %r", link.lti_id, custom_exam_id)
        return None
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        log.info("resource link %s names exam %s, which does not exist", link.lti_id, exam_id)
        return None
    if exam.course_id != link.course_id:
        copies.note_offer(db.session.get(ResourceLink, link.id), exam)
        return None
    db.session.get(ResourceLink, link.id).exam_id = exam.id
    return exam.id


# --- questions ----------------------------------------------------------------------------------

def check_editable(exam, what):
    """Refuse a change to the exam's questions that would change scoring once students have taken it."""
    if has_attempts(exam.id):
        raise EditRefused(f"{what} would change scoring, and students have already taken this exam. "
                          "Duplicate the exam to make a new version.")


def add_questions(exam, parsed, *, actor_user_id, origin, action="questions.added"):
    """Append parsed questions (all or nothing, in the caller's transaction) and commit."""
    check_editable(exam, "Adding questions")
    check_pictures(exam.course_id, parsed)
    start = (db.session.scalar(select(func.max(Question.position)).where(Question.exam_id == exam.id)) or 0) + 1
    for offset, item in enumerate(parsed):
        exam.questions.append(new_question(item, start + offset))
    db.session.flush()
    audit.record(action, "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"count": len(parsed)}, origin=origin)
    db.session.commit()
    return exam.questions[-len(parsed):]


def new_question(item, position, **owner):
    """A question row of a parsed question, at `position` (of its exam, or of the bank: `owner`)."""
    return Question(position=position, kind=item.kind, text=item.text, points=item.points,
                    explanation=item.explanation, text_format=item.format, category=item.category,
                    tags=list(item.tags), **owner,
                    options=[Option(position=i, text=o.text, is_correct=o.correct, weight=o.weight)
                             for i, o in enumerate(item.options, start=1)])


def parse_question_body(body):
    """One question from the authoring API, in the JSON import format and checked by the same rules."""
    try:
        [parsed] = question_files.parse(json.dumps([body]).encode(), "json")
    except question_files.QuestionFileInvalid as exc:
        raise InvalidExam("The question was not saved: " + "; ".join(p.message for p in exc.problems)) from exc
    undescribed = sum(rich_text.pictures_without_description(text) for text in _texts_of(parsed))
    if parsed.format == "html" and undescribed:
        verb = "has" if undescribed == 1 else "have"
        raise InvalidExam(f"The question was not saved: {undescribed} of its pictures {verb} no description. "
                          "Describe each picture for students who cannot see it.")
    return parsed


def _texts_of(parsed):
    return [parsed.text, parsed.explanation, *(option.text for option in parsed.options)]


def check_pictures(course_id, parsed):
    """Formatted questions show only pictures of their own course."""
    shown = {image_id for item in parsed if item.format == "html"
             for text in _texts_of(item) for image_id in rich_text.image_ids(text)}
    if shown - images.of_course(course_id, shown):
        raise InvalidExam("The question was not saved: it shows a picture that is not one of this course's.",
                          hint="Add the picture to the question again from your computer.")


def get_question(exam, question_id):
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.exam_id != exam.id:
        raise NotFound("That question is not in this exam.")
    return question


def update_question(exam, question, parsed, *, actor_user_id, origin):
    """Replace a question's content. Once attempts exist only wording may change, not scoring."""
    check_pictures(exam.course_id, [parsed])
    apply_edit(question, parsed, taken=has_attempts(exam.id),
               refusal="Students have taken this exam: only the wording of questions and options may change now, "
                       "not the answers, points, category or number of options.")
    audit.record("question.updated", "question", question.id, actor_user_id=actor_user_id,
                 course_id=exam.course_id, data={"exam_id": exam.id}, origin=origin)
    db.session.commit()
    return question


def apply_edit(question, parsed, *, taken, refusal):
    """Give `question` the content of `parsed`. Once students have had it (`taken`), only its wording and tags may
    change (else EditRefused with `refusal`), and the wording it replaces is kept as a version."""
    question.tags = list(parsed.tags)
    if taken:
        if _scoring_of(question) != _scoring_of_parsed(parsed):
            raise EditRefused(refusal)
        if _wording_of(question) != _wording_of_parsed(parsed):
            versions.keep_wording(question)
        question.text, question.explanation = parsed.text, parsed.explanation
        question.text_format = parsed.format
        for option, new in zip(question.options, parsed.options, strict=True):
            option.text = new.text
    else:
        question.kind, question.text, question.text_format = parsed.kind, parsed.text, parsed.format
        question.category = parsed.category
        question.points, question.explanation = parsed.points, parsed.explanation
        question.options = [Option(position=i, text=o.text, is_correct=o.correct, weight=o.weight)
                            for i, o in enumerate(parsed.options, start=1)]


# The category is scoring too: it decides which questions later students may draw (exam/draws.py).
def _scoring_of(question):
    return (question.kind, question.points, question.category, [(o.is_correct, o.weight) for o in question.options])


def _scoring_of_parsed(parsed):
    return (parsed.kind, parsed.points, parsed.category, [(o.correct, o.weight) for o in parsed.options])


def _wording_of(question):
    return (question.text, question.explanation, question.text_format, [o.text for o in question.options])


def _wording_of_parsed(parsed):
    return (parsed.text, parsed.explanation, parsed.format, [o.text for o in parsed.options])


def delete_question(exam, question, *, actor_user_id, origin):
    check_editable(exam, "Deleting a question")
    exam.questions.remove(question)
    _renumber(exam.questions)
    audit.record("question.deleted", "question", question.id, actor_user_id=actor_user_id,
                 course_id=exam.course_id, data={"exam_id": exam.id}, origin=origin)
    db.session.commit()


def reorder_questions(exam, order, *, actor_user_id, origin):
    """Put the questions in the given order of ids (every question, once)."""
    current = {q.id: q for q in exam.questions}
    if not isinstance(order, list) or sorted(order, key=str) != sorted(current, key=str):
        raise InvalidExam("The new order must list every question of the exam exactly once.")
    check_editable(exam, "Reordering questions")
    _renumber([current[qid] for qid in order])
    audit.record("questions.reordered", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"order": order}, origin=origin)
    db.session.commit()
    db.session.refresh(exam)


def _renumber(questions):
    for position, question in enumerate(questions, start=1):
        question.position = position


def import_file(exam, data, filename, *, dry_run, actor_user_id, origin):
    """Read a CSV, JSON, GIFT or Moodle XML file; a dry run only previews. A broken file imports nothing.

    The pictures a file carries are kept in the course's store even by a dry run, so its preview shows them: that
    adds no question, and the same picture checked again is the same row."""
    read = read_file(exam.course_id, data, filename)
    if dry_run:
        db.session.commit()
        return read
    add_questions(exam, read.questions, actor_user_id=actor_user_id, origin=origin, action="questions.imported")
    return read


def read_file(course_id, data, filename):
    """A question file read and checked, the pictures it carries kept in the course's store."""
    return question_files.read(data, question_files.detect_format(filename), pictures=_keep_picture(course_id))


def _keep_picture(course_id):
    def keep(name, data):
        try:
            return f"/content/images/{images.store(course_id, data).id}"
        except images.ImageRefused as refused:
            raise ValueError(refused.message) from None

    return keep


def outbox_row(exam, row_id):
    """A queued score of this exam (for resending)."""
    row = db.session.get(GradeOutbox, row_id)
    if row is None or db.session.get(Attempt, row.attempt_id).exam_id != exam.id:
        raise NotFound("That grade is not queued for this exam.")
    return row


def export_questions(questions, fmt="json"):
    """Questions (an exam's, a bank's) as a JSON file, or a Moodle XML file or QTI 2.1 package with the pictures
    they show."""
    questions = [
        {"kind": q.kind, "text": q.text, "format": q.text_format, "points": q.points, "explanation": q.explanation,
         "category": q.category, "tags": q.tags or [],
         "options": [{"text": o.text, "correct": o.is_correct, "weight": o.weight} for o in q.options]}
        for q in questions]
    if fmt == "moodle_xml":
        return moodle_xml.write(questions, _picture_file)
    if fmt == "qti":
        return qti.write_package(questions, _picture_file)
    return question_files.to_json(questions)


def _picture_file(image_id):
    image = db.session.get(QuestionImage, image_id)
    return f"picture-{image.id}.{image.media_type.split('/')[1]}", image.data


def question_json(question, *, with_answers):
    """A question for the authoring API (with answers) or for a student's attempt (without)."""
    fmt = question.text_format
    body = {"id": question.id, "type": question.kind, "text": question.text, "format": fmt,
            "html": rich_text.to_html(question.text, fmt), "points": question.points,
            "options": [{"id": o.id, "text": o.text, "html": rich_text.to_html(o.text, fmt)} for o in question.options]}
    if with_answers:
        body["category"] = question.category
        body["tags"] = question.tags or []
        body["explanation"] = question.explanation
        body["explanation_html"] = rich_text.to_html(question.explanation, fmt)
        for option, source in zip(body["options"], question.options, strict=True):
            option.update(correct=source.is_correct, weight=source.weight)
    return body


# --- people -------------------------------------------------------------------------------------

def set_accommodation(exam, user_id, *, extra_minutes, time_multiplier, actor_user_id, origin):
    """Extra time for one student of the course; it applies to attempts started after it is set."""
    if not isinstance(user_id, int) or db.session.scalar(
            select(Membership).filter_by(user_id=user_id, course_id=exam.course_id)) is None:
        raise NotFound("That student is not in this course.")
    extra, multiplier = settings.parse_accommodation(extra_minutes, time_multiplier)
    row = db.session.scalar(select(Accommodation).filter_by(exam_id=exam.id, user_id=user_id))
    if row is None:
        row = Accommodation(exam_id=exam.id, user_id=user_id)
        db.session.add(row)
    row.extra_minutes, row.time_multiplier = extra, multiplier
    audit.record("accommodation.set", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"user_id": user_id, "extra_minutes": extra, "time_multiplier": multiplier}, origin=origin)
    db.session.commit()
    return row


def accommodations(exam):
    return db.session.execute(
        select(Accommodation, User).join(User, User.id == Accommodation.user_id)
        .where(Accommodation.exam_id == exam.id).order_by(User.name)
    ).all()


def audit_entries(exam, attempt_id=None):
    """The exam's audit trail (or one attempt's), oldest first."""
    query = select(AuditEntry).where(AuditEntry.course_id == exam.course_id)
    if attempt_id is not None:
        query = query.where(AuditEntry.target_type == "attempt", AuditEntry.target_id == str(attempt_id))
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is None or attempt.exam_id != exam.id:
            raise NotFound("That attempt is not part of this exam.")
    else:
        attempt_ids = [str(i) for i in db.session.scalars(select(Attempt.id).where(Attempt.exam_id == exam.id))]
        query = query.where(
            ((AuditEntry.target_type == "exam") & (AuditEntry.target_id == str(exam.id)))
            | ((AuditEntry.target_type == "attempt") & AuditEntry.target_id.in_(attempt_ids))
            | ((AuditEntry.target_type == "question") & (AuditEntry.data["exam_id"].as_integer() == exam.id))
        )
    return db.session.scalars(query.order_by(AuditEntry.id)).all()


def user_names(user_ids):
    return {user.id: user.display_name for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))}


def _jsonable(values):
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}
