"""The course question bank's entry point: its questions listed and filtered, added, edited, deleted, imported and
exported. A bank question some student was drawn keeps its scoring, and its wording edits keep versions
(exam/versions.py), as an exam's questions do once taken."""

from collections import Counter

from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from lti_tool import audit
from lti_tool.db import db
from lti_tool.errors import NotFound
from lti_tool.exam import copies, draws, question_copies, services, tags
from lti_tool.exam.errors import EditRefused, InvalidExam
from lti_tool.exam.models import Attempt, Draw, Exam, Question


def questions(course_id, *, category=None, tag=None):
    """The bank's questions by category then as added; of one category ("" for none) or carrying a tag, if asked."""
    query = select(Question).options(selectinload(Question.options)).where(Question.bank_course_id == course_id)
    if category is not None:
        query = query.where(Question.category == category)
    found = db.session.scalars(query.order_by(Question.category, Question.position, Question.id)).all()
    return [question for question in found if tag is None or tags.matches(question.tags, [tag])]


def summary(course_id):
    """The bank's categories and tags, each with how many questions it holds, and which categories exams draw."""
    rows = db.session.execute(select(Question.category, Question.tags)
                              .where(Question.bank_course_id == course_id)).all()
    categories = Counter(category for category, _ in rows)
    tag_counts = Counter()
    spelling = {}
    for _, question_tags in rows:
        for tag in question_tags or ():
            tag_counts[tag.casefold()] += 1
            spelling.setdefault(tag.casefold(), tag)
    drawn = drawn_categories(course_id)
    return {
        "questions": len(rows),
        "categories": [{"name": name, "questions": count, "drawn": name in drawn}
                       for name, count in sorted(categories.items())],
        "tags": [{"name": spelling[key], "questions": count} for key, count in sorted(tag_counts.items())],
    }


def get(course_id, question_id):
    question = db.session.get(Question, question_id) if isinstance(question_id, int) else None
    if question is None or question.bank_course_id != course_id:
        raise NotFound("That question is not in this course's question bank.")
    return question


def add(course_id, parsed, *, actor_user_id, origin, action="bank.questions_added"):
    """Add parsed questions to the bank (all or nothing) and commit."""
    services.check_pictures(course_id, parsed)
    return _append(course_id, parsed, lambda item, position: services.new_question(
        item, position, bank_course_id=course_id), action, {}, actor_user_id=actor_user_id, origin=origin)


def copy_in(course_id, source_exam_id, question_ids, *, actor_user_id, origin):
    """Copies of an exam's questions `question_ids` (all when None) added to the bank, each in its category: from
    an exam of this course, or of another where the person is a test maker (how an exam's own pool of questions
    moves into the bank)."""
    source = question_copies.source_exam(course_id, source_exam_id, actor_user_id)
    chosen = question_copies.chosen_of(source.questions, question_ids)

    def copied(question, position):
        copy = copies.copied_question(question, course_id, position=position)
        copy.bank_course_id = course_id
        return copy

    return _append(course_id, chosen, copied, "bank.questions_copied", {"from_exam": source.id},
                   actor_user_id=actor_user_id, origin=origin)


def _append(course_id, items, make, action, data, *, actor_user_id, origin):
    """`make(item, position)` of each item added after the bank's last question, in one commit."""
    drawn = drawn_categories(course_id)
    for category, points in {(item.category, item.points) for item in items}:
        _check_points(course_id, category, points, drawn)
    start = (db.session.scalar(select(func.max(Question.position))
                               .where(Question.bank_course_id == course_id)) or 0) + 1
    added = [make(item, start + offset) for offset, item in enumerate(items)]
    db.session.add_all(added)
    db.session.flush()
    audit.record(action, "bank", course_id, actor_user_id=actor_user_id, course_id=course_id,
                 data={**data, "count": len(added), "questions": [question.id for question in added]},
                 origin=origin)
    db.session.commit()
    return added


def update(question, parsed, *, actor_user_id, origin):
    """Replace a bank question's content; once a student was drawn it, only its wording and tags may change."""
    course_id = question.bank_course_id
    services.check_pictures(course_id, [parsed])
    taken = drawn_by_students(question)
    if not taken and (parsed.category, parsed.points) != (question.category, question.points):
        _check_points(course_id, parsed.category, parsed.points, drawn_categories(course_id), besides=question.id)
    services.apply_edit(question, parsed, taken=taken,
                        refusal="Students have been drawn this question: only the wording of the question, its "
                                "options and explanation, and its tags may change now, not the answers, points, "
                                "category or number of options. Add a new question for a different one.")
    audit.record("bank.question_updated", "question", question.id, actor_user_id=actor_user_id,
                 course_id=course_id, data={"bank": True}, origin=origin)
    db.session.commit()
    return question


def delete(question, *, actor_user_id, origin):
    """Delete a bank question no student was drawn (their attempts, grades and reviews show it)."""
    if drawn_by_students(question):
        raise EditRefused("Students have been drawn this question, so it cannot be deleted: their attempts and "
                          "reviews show it.")
    audit.record("bank.question_deleted", "question", question.id, actor_user_id=actor_user_id,
                 course_id=question.bank_course_id, data={"bank": True, "category": question.category},
                 origin=origin)
    db.session.delete(question)
    db.session.commit()


def import_file(course_id, data, filename, *, dry_run, actor_user_id, origin):
    """Read a question file into the bank, each question in the category the file gives it; a dry run only
    previews, and a broken file imports nothing (as an exam's import, exam/services.py)."""
    read = services.read_file(course_id, data, filename)
    if dry_run:
        db.session.commit()
        return read
    add(course_id, read.questions, actor_user_id=actor_user_id, origin=origin, action="bank.questions_imported")
    return read


def drawn_by_students(question, taken=None):
    """Whether a student's attempt may have been drawn this bank question: an exam of the course that students
    have taken draws from its category (`taken`: taken_categories, when read already). Exact, as neither can
    change after: an exam's rules are fixed once taken, and so is the category of a question drawn."""
    taken = taken_categories(question.bank_course_id) if taken is None else taken
    return bool(question.category) and question.category in taken


def taken_categories(course_id):
    """The categories that exams of the course students have taken draw from: their bank questions may have been
    drawn (one statement for a whole list)."""
    return drawn_categories(course_id, taken_only=True)


def drawn_categories(course_id, *, taken_only=False):
    """The categories the course's exams draw from (only those of exams students have taken, if asked)."""
    query = select(Draw.category).distinct().join(Exam, Exam.id == Draw.exam_id).where(Exam.course_id == course_id)
    if taken_only:
        query = query.where(exists().where(Attempt.exam_id == Exam.id, Attempt.is_preview.is_(False)))
    return set(db.session.scalars(query))


def _check_points(course_id, category, points, drawn, besides=None):
    """A category an exam draws from (`drawn`) keeps one value of points: students drawing different questions
    would be marked out of different totals (exam/draws.py checks an exam's own questions at publishing)."""
    if not category or category not in drawn:
        return
    others = draws.bank_points(course_id, category, besides) - {points}
    if others:
        worth = ", ".join(f"{value:g}" for value in sorted(others))
        raise InvalidExam(f"An exam draws from category “{category}”, whose questions are worth {worth} "
                          f"point(s): give this one {worth} too, or put it in another category.")
