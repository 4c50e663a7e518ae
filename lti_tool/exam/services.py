"""Exams in a course: list, create, bind to a resource link."""

import logging

from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.errors import NotFound
from lti_tool.exam.errors import InvalidExam
from lti_tool.exam.models import Exam
from lti_tool.identity.models import ResourceLink

log = logging.getLogger(__name__)
TITLE_MAX = 300


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


def create_exam(course_id, title, *, actor_user_id, origin):
    title = (title or "").strip()
    if not title:
        raise InvalidExam("An exam needs a title.")
    if len(title) > TITLE_MAX:
        raise InvalidExam(f"An exam title can be at most {TITLE_MAX} characters.")
    exam = Exam(course_id=course_id, title=title, created_by=actor_user_id)
    db.session.add(exam)
    db.session.flush()
    audit.record("exam.created", "exam", exam.id, actor_user_id=actor_user_id, course_id=course_id,
                 data={"title": title}, origin=origin)
    return exam


def bind_link_from_custom(link, custom_exam_id):
    """Bind an unbound resource link to the exam its deep-linking custom parameter names."""
    if link.exam_id is not None or not custom_exam_id:
        return
    try:
        exam_id = int(custom_exam_id)
    except (TypeError, ValueError):
        log.info("resource link %s carries a malformed exam_id %r", link.lti_id, custom_exam_id)
        return
    exam = db.session.get(Exam, exam_id)
    if exam is None or exam.course_id != link.course_id:
        # A link copied from another course: the test maker binds it on first launch.
        log.info("resource link %s names exam %s, which is not in its course", link.lti_id, exam_id)
        return
    link.exam_id = exam.id
