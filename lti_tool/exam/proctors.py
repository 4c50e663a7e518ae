"""Who proctors an exam: the course's test makers every exam, and anyone of the course the exam lists, whatever
role the LMS sends them (a school may take mod/lti:manage away from its invigilators, so Moodle launches them as
Learner). The list holds people (users) picked from the course's roster, never addresses: two LMS accounts can
share an email, and the second must not read what the first was listed for."""

from sqlalchemy import String, cast, func, or_, select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.exam import notices
from lti_tool.exam.errors import InvalidExam
from lti_tool.exam.models import Exam, ExamProctor
from lti_tool.identity import services as identity
from lti_tool.identity.models import Membership, User
from lti_tool.identity.roles import ToolRole

# Enough for a whole school's invigilators on one exam; a list far longer is a mistake or an attack.
MAX_PROCTORS = 200
# A search answers with a page of people, never the whole roster of a large course.
MAX_CANDIDATES = 20
MAX_QUERY = 100


def can_proctor(exam, context):
    """Whether the person a launch context names may watch, act on and review this exam."""
    if exam.course_id != context.course_id:
        return False
    return ToolRole.TEST_MAKER in context.roles or is_listed(exam.id, context.user_id)


def is_listed(exam_id, user_id):
    return db.session.scalar(select(ExamProctor.id).filter_by(exam_id=exam_id, user_id=user_id)) is not None


def proctors_any(course_id, user_id):
    """Whether an exam of the course lists this person as its proctor."""
    return db.session.scalar(
        select(ExamProctor.id).join(Exam, Exam.id == ExamProctor.exam_id)
        .where(Exam.course_id == course_id, ExamProctor.user_id == user_id).limit(1)
    ) is not None


def listed_ids(exam_id):
    """The user ids of the exam's listed proctors, as a subquery (they are not its students)."""
    return select(ExamProctor.user_id).where(ExamProctor.exam_id == exam_id)


def listed(exam):
    """The people listed as this exam's proctors, by name."""
    return db.session.scalars(
        select(User).join(ExamProctor, ExamProctor.user_id == User.id)
        .where(ExamProctor.exam_id == exam.id).order_by(User.name, User.id)
    ).all()


def candidates(exam, query):
    """[(user, tool roles)]: up to MAX_CANDIDATES people of the course whose name, email or login name holds
    every word of `query` (anyone when it is empty), by name. Whoever has left the course (no role) is not offered."""
    statement = (select(User, Membership.roles).join(Membership, Membership.user_id == User.id)
                 .where(Membership.course_id == exam.course_id, cast(Membership.roles, String) != "[]")
                 .order_by(User.name, User.email, User.id).limit(MAX_CANDIDATES))
    for word in (query or "")[:MAX_QUERY].lower().split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(or_(*(func.lower(column).like(pattern, escape="\\")
                                          for column in (User.name, User.email, User.username))))
    return db.session.execute(statement).all()


def set_listed(exam, *, user_ids, emails, actor_user_id, origin):
    """List exactly these people (by user id, or by an email that names one person of the course)."""
    user_ids = _list_of(user_ids, int, "user_ids", "people (user ids)")
    emails = _list_of(emails, str, "emails", "email addresses")
    chosen = set(user_ids) | set(_people_with(exam.course_id, emails))
    if len(chosen) > MAX_PROCTORS:
        raise InvalidExam(f"An exam can have at most {MAX_PROCTORS} proctors; {len(chosen)} were given.")
    strangers = chosen - set(_course_members(exam.course_id, chosen))
    if strangers:
        raise InvalidExam(f"Not people of this course: user ids {', '.join(map(str, sorted(strangers)))}.")
    before = {p.user_id for p in db.session.scalars(select(ExamProctor).filter_by(exam_id=exam.id))}
    db.session.execute(ExamProctor.__table__.delete().where(ExamProctor.exam_id == exam.id))
    db.session.add_all(ExamProctor(exam_id=exam.id, user_id=user_id) for user_id in sorted(chosen))
    audit.record("proctors.set", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"user_ids": sorted(chosen), "added": sorted(chosen - before),
                       "removed": sorted(before - chosen)}, origin=origin)
    notices.proctors_changed(exam)
    db.session.commit()
    return listed(exam)


def _list_of(values, kind, field, what):
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
        raise InvalidExam(f"{field} must be a list of {what}.")
    if len(values) > MAX_PROCTORS:
        raise InvalidExam(f"An exam can have at most {MAX_PROCTORS} proctors; {len(values)} {field} were given.")
    return values


def _people_with(course_id, emails):
    """The one person of the course each address names; every address that names nobody or several is
    reported at once."""
    cleaned = sorted({e.strip().lower() for e in emails if e.strip()})
    invalid = [e for e in cleaned if not identity.is_email(e)]
    if invalid:
        raise InvalidExam(f"Not email addresses: {', '.join(repr(e[:80]) for e in invalid[:10])}.")
    found = {}
    if cleaned:
        rows = db.session.execute(
            select(func.lower(User.email), User.id).join(Membership, Membership.user_id == User.id)
            .where(Membership.course_id == course_id, func.lower(User.email).in_(cleaned))
        ).all()
        for email, user_id in rows:
            found.setdefault(email, set()).add(user_id)
    nobody = [e for e in cleaned if e not in found]
    several = [e for e in cleaned if len(found.get(e, ())) > 1]
    problems = []
    if nobody:
        problems.append(f"nobody in this course has the address {', '.join(nobody)} (a person appears here once "
                        "they have opened the tool from the course, or after the roster is refreshed)")
    if several:
        problems.append(f"several people of this course have the address {', '.join(several)}: tick the one "
                        "you mean in the list instead")
    if problems:
        raise InvalidExam("The proctors were not saved: " + "; ".join(problems) + ".")
    return [next(iter(found[e])) for e in cleaned]


def _course_members(course_id, user_ids):
    return db.session.scalars(
        select(Membership.user_id).where(Membership.course_id == course_id, Membership.user_id.in_(user_ids))
    ).all()

