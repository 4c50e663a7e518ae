"""Copies of an exam: a duplicate in its own course, and the copy a term rollover asks for. An LMS that copies a
course into a new term (Moodle's backup and restore or import, Canvas's course copy) keeps each link's custom
exam_id, which then names an exam of the old course; the link stays unbound (a student sees nothing of the old
exam) and its test maker is offered a copy into the new course. Every copy takes the questions, the settings,
the camera settings and the proctors who are people of its course; never attempts, grades or events."""

from dataclasses import dataclass

from blinker import Namespace
from sqlalchemy import func, select, update

from lti_tool import audit
from lti_tool.content import images
from lti_tool.db import db
from lti_tool.errors import Forbidden, NotFound
from lti_tool.exam import settings
from lti_tool.exam.errors import EditRefused
from lti_tool.exam.models import Draw, Exam, ExamProctor, Option, Question
from lti_tool.identity.models import Course, Membership, ResourceLink
from lti_tool.identity.roles import ToolRole

# Sent inside the copy's transaction (sender: the source exam; `copy`: the new exam, flushed) so that packages
# the exam may not import (proctoring's camera settings) copy their own rows with it.
copied = Namespace().signal("exam-copied")

NO_COPY_HINT = ("Choose this link's exam in the LMS: edit the activity and pick an exam with Select content (deep "
                "linking) again. Or create an exam on this page and use it for this link.")


@dataclass(frozen=True)
class Offer:
    """The exam of another course a link names, and why its copy is refused to this person (None: allowed)."""

    source: Exam
    source_course: Course
    refusal: str | None


def duplicate_exam(exam, *, actor_user_id, origin):
    """A copy in the same course, titled 'Copy of …'."""
    copy = _copy(exam, exam.course_id, title=f"Copy of {exam.title}"[:settings.TITLE_MAX],
                 actor_user_id=actor_user_id)
    audit.record("exam.duplicated", "exam", copy.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"from_exam": exam.id}, origin=origin)
    db.session.commit()
    return copy


def note_offer(link, exam):
    """At launch: the unbound link's custom exam_id names `exam`, of another course. Only an exam of the same
    platform is ever offered (context ids mean nothing across platforms)."""
    if db.session.get(Course, exam.course_id).platform_id == db.session.get(Course, link.course_id).platform_id:
        link.copy_source_exam_id = exam.id


def offer(context):
    """The copy offered on the launch's link, or None when the link runs an exam or names none elsewhere."""
    link, course = _link_and_course(context)
    source = _pending_source(link)
    if source is None:
        return None
    source_course = db.session.get(Course, source.course_id)
    return Offer(source, source_course, _refusal(source_course, course, context.user_id))


def accept(context, *, origin):
    """Copy the offered exam into the link's course and bind the link to it; return the exam the link runs.
    Accepting again (or two accepts at once) gives the one copy made; another link of the course naming the same
    exam is bound to that copy too."""
    link, course = _link_and_course(context)
    if link.exam_id is not None:
        return _accepted_before(link)
    source = _pending_source(link)
    if source is None:
        raise NotFound("This course link offers no exam to copy.")
    refusal = _refusal(db.session.get(Course, source.course_id), course, context.user_id)
    if refusal:
        raise Forbidden(refusal, hint=NO_COPY_HINT)
    copy = _copy_in(course, source)
    made = copy is None
    if made:
        copy = _copy(source, course.id, title=source.title, actor_user_id=context.user_id, copied_from=source.id)
    # Only an unbound link is bound: of two accepts at once, the second finds the row taken and keeps nothing.
    claimed = db.session.execute(
        update(ResourceLink).where(ResourceLink.id == link.id, ResourceLink.exam_id.is_(None))
        .values(exam_id=copy.id).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return _accepted_before(db.session.get(ResourceLink, link.id))
    actor = {"actor_user_id": context.user_id, "origin": origin}
    if made:
        audit.record("exam.copied", "exam", copy.id, course_id=course.id,
                     data={"from_exam": source.id, "from_course": source.course_id}, **actor)
        audit.record("exam.copied_out", "exam", source.id, course_id=source.course_id,
                     data={"to_exam": copy.id, "to_course": course.id}, **actor)
    audit.record("link.bound", "resource_link", link.id, course_id=course.id,
                 data={"exam_id": copy.id, "copy_of": source.id}, **actor)
    db.session.commit()
    return copy


def _link_and_course(context):
    link = db.session.get(ResourceLink, context.resource_link_id) if context.resource_link_id else None
    if link is None or link.course_id != context.course_id:
        raise NotFound("This launch has no course link.")
    return link, db.session.get(Course, link.course_id)


def _pending_source(link):
    if link.exam_id is not None or link.copy_source_exam_id is None:
        return None
    return db.session.get(Exam, link.copy_source_exam_id)


def _accepted_before(link):
    """The exam the link runs, when it is the copy of the exam it named."""
    exam = db.session.get(Exam, link.exam_id)
    if link.copy_source_exam_id is None or exam.copied_from_exam_id != link.copy_source_exam_id:
        raise EditRefused("This course link already runs an exam of this course; there is nothing to copy.")
    return exam


def _refusal(source_course, course, user_id):
    """Why this person may not copy an exam of `source_course` into `course`, or None. The platform's context
    history, where it sends one, decides; without it, only a test maker of both courses may."""
    if course.context_history is not None:
        if source_course.context_id in course.context_history.split(","):
            return None
        return ("This course link names an exam of another course, and your LMS says this course was not copied "
                "from that course, so the exam is not copied here.")
    roles = db.session.scalar(select(Membership.roles).filter_by(user_id=user_id, course_id=source_course.id))
    if ToolRole.TEST_MAKER in (roles or ()):
        return None
    return ("This course link names an exam of another course, which only a test maker of that course can copy "
            "here; your LMS does not say this course was copied from it.")


def _copy_in(course, source):
    """A copy of `source` already in the course (made for another of its links), if any."""
    return db.session.scalar(select(Exam).where(Exam.course_id == course.id, Exam.copied_from_exam_id == source.id,
                                                Exam.archived_at.is_(None)).order_by(Exam.id).limit(1))


def _copy(source, course_id, *, title, actor_user_id, copied_from=None):
    copy = Exam(course_id=course_id, created_by=actor_user_id, title=title, copied_from_exam_id=copied_from,
                **{name: getattr(source, name) for name in settings.FIELDS if name != "title"})
    copy.questions = [copied_question(question, course_id) for question in source.questions]
    copy.draws = [Draw(category=rule.category, count=rule.count) for rule in source.draws]
    if course_id != source.course_id:
        _copy_drawn_bank(source, course_id)
    db.session.add(copy)
    db.session.flush()
    db.session.add_all(ExamProctor(exam_id=copy.id, user_id=user_id) for user_id in _proctors_in(source, course_id))
    copied.send(source, copy=copy)
    return copy


def _copy_drawn_bank(source, course_id):
    """A copy in another course draws from that course's question bank: the source bank's questions of the
    categories its rules draw from come along, unless that bank has the category already (an earlier copy of
    another exam brought it, or the test maker filled it)."""
    wanted = {rule.category for rule in source.draws}
    have = set(db.session.scalars(select(Question.category).distinct().where(
        Question.bank_course_id == course_id, Question.category.in_(wanted))))
    if not wanted - have:
        return
    start = db.session.scalar(select(func.max(Question.position)).where(Question.bank_course_id == course_id)) or 0
    brought = db.session.scalars(
        select(Question).where(Question.bank_course_id == source.course_id, Question.category.in_(wanted - have))
        .order_by(Question.category, Question.position, Question.id))
    for number, question in enumerate(brought, start + 1):
        copy = copied_question(question, course_id, position=number)
        copy.bank_course_id = course_id
        db.session.add(copy)


def copied_question(question, course_id, position=None):
    """A new question with `question`'s content for an exam of `course_id` (at its position, or `position`)."""
    def text(value):  # formatted text shows pictures of its own course only
        return images.copied(value, course_id) if value and question.text_format == "html" else value

    return Question(position=question.position if position is None else position, kind=question.kind,
                    text=text(question.text), points=question.points,
                    explanation=text(question.explanation), text_format=question.text_format,
                    category=question.category, tags=question.tags,
                    options=[Option(position=o.position, text=text(o.text), is_correct=o.is_correct, weight=o.weight)
                             for o in question.options])


def _proctors_in(source, course_id):
    """The source's proctors who hold a role in the course (the roster marks people who left with none)."""
    rows = db.session.execute(
        select(ExamProctor.user_id, Membership.roles)
        .join(Membership, Membership.user_id == ExamProctor.user_id)
        .where(ExamProctor.exam_id == source.id, Membership.course_id == course_id).order_by(ExamProctor.user_id)
    ).all()
    return [user_id for user_id, roles in rows if roles]
