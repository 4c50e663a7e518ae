"""Questions copied from one exam into another exam or into a course's question bank (lti_tool/bank/): from an exam
of the same course, or of another course of the same LMS where the person is a test maker too (last term's exams, a
colleague's course they teach in). A copy takes the question's texts, options, points, category, tags and pictures
(copied into the target's course); it is a new question, so editing either never changes the other."""

from sqlalchemy import func, select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.errors import Forbidden, NotFound
from lti_tool.exam import copies, services
from lti_tool.exam.errors import InvalidExam
from lti_tool.exam.models import Exam, Question
from lti_tool.identity.models import Course, Membership
from lti_tool.identity.roles import ToolRole

MAX_COPIED = 500


def sources(course_id, user_id, besides=None):
    """The exams this person may copy questions from into course `course_id` (into its exam `besides`, which is
    left out), the course's own first, then by course."""
    courses = {course_id, *_courses_made_in(user_id)}
    rows = db.session.execute(
        select(Exam, Course, func.count(Question.id))
        .join(Course, Course.id == Exam.course_id)
        .outerjoin(Question, Question.exam_id == Exam.id)
        .where(Exam.course_id.in_(courses), Exam.id != besides, Exam.archived_at.is_(None))
        .group_by(Exam.id, Course.id)
        .order_by(Exam.course_id != course_id, Course.id, Exam.title, Exam.id))
    return [{"exam_id": exam.id, "title": exam.title, "course": course.display_name,
             "same_course": course.id == course_id, "questions": count}
            for exam, course, count in rows if count]


def _courses_made_in(user_id):
    """The courses where this person is a test maker."""
    rows = db.session.execute(select(Membership.course_id, Membership.roles).where(Membership.user_id == user_id))
    return [course_id for course_id, roles in rows if ToolRole.TEST_MAKER in (roles or ())]


def source_questions(course_id, source_exam_id, user_id, besides=None):
    """The questions of a source exam, for choosing which to copy."""
    source = source_exam(course_id, source_exam_id, user_id, besides)
    return [services.question_json(question, with_answers=True) for question in source.questions]


def copy(target, source_exam_id, question_ids, *, actor_user_id, origin):
    """Append copies of the source's questions `question_ids` (all of them when None), in the source's order."""
    source = source_exam(target.course_id, source_exam_id, actor_user_id, besides=target.id)
    chosen = chosen_of(source.questions, question_ids)
    return _append(target, chosen, {"from_exam": source.id}, actor_user_id=actor_user_id, origin=origin)


def copy_from_bank(target, question_ids, *, actor_user_id, origin):
    """Append copies of the course bank's questions `question_ids` to the exam, as questions every student gets
    (a random draw takes bank questions without copying them, exam/draws.py)."""
    bank = db.session.scalars(select(Question).where(Question.bank_course_id == target.course_id)
                              .order_by(Question.category, Question.position, Question.id)).all()
    return _append(target, chosen_of(bank, question_ids), {"from_bank": True}, actor_user_id=actor_user_id,
                   origin=origin)


def _append(target, chosen, source, *, actor_user_id, origin):
    services.check_editable(target, "Copying questions in")
    start = (db.session.scalar(select(func.max(Question.position)).where(Question.exam_id == target.id)) or 0) + 1
    for offset, question in enumerate(chosen):
        target.questions.append(copies.copied_question(question, target.course_id, position=start + offset))
    db.session.flush()
    audit.record("questions.copied", "exam", target.id, actor_user_id=actor_user_id, course_id=target.course_id,
                 data={**source, "questions": [question.id for question in chosen]}, origin=origin)
    db.session.commit()
    return target.questions[-len(chosen):]


def source_exam(course_id, source_exam_id, user_id, besides=None):
    """The exam to copy questions from into course `course_id` (into its exam `besides`), if this person may."""
    known = isinstance(source_exam_id, int) and not isinstance(source_exam_id, bool) and 0 < source_exam_id < 2**31
    source = db.session.get(Exam, source_exam_id) if known else None
    if source is None or source.id == besides:
        raise NotFound("There is no such exam to copy questions from.")
    if source.course_id != course_id and source.course_id not in _courses_made_in(user_id):
        raise Forbidden("You can copy questions only from exams of courses where you are a test maker.")
    return source


def chosen_of(questions, question_ids):
    """The questions of `questions` whose ids are `question_ids` (all when None), in their order; InvalidExam for a
    choice that is not a list of ids, names a question not among them, or is too long."""
    if question_ids is None:
        chosen = list(questions)
    elif isinstance(question_ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in question_ids):
        by_id = {question.id: question for question in questions}
        missing = [i for i in question_ids if i not in by_id]
        if missing:
            raise InvalidExam(f"{_count(len(missing))} chosen {'is' if len(missing) == 1 else 'are'} not there any "
                              "more: list the questions again and choose.")
        wanted = set(question_ids)
        chosen = [question for question in questions if question.id in wanted]
    else:
        raise InvalidExam('Send the questions to copy as a list of ids: {"question_ids": [12, 13]}.')
    if not chosen:
        raise InvalidExam("Choose at least one question to copy.")
    if len(chosen) > MAX_COPIED:
        raise InvalidExam(f"Copy at most {MAX_COPIED} questions at a time.")
    return chosen


def _count(n):
    return "1 question" if n == 1 else f"{n} questions"
