"""Random draws, as Moodle's random questions and Canvas's question groups: a rule "draw N of category C" makes the
exam's questions of C and the course bank's (lti_tool/bank/) a pool, and each attempt gets N of them at random when
it starts. What an attempt got is its question order (exam/attempts.py), so a reload, another device, grading and
the review all see the same questions. The exam's questions of a category without a rule, or of none, are in every
attempt; the bank's are only ever drawn.

Each attempt draws uniformly and on its own, in the database (drawn_ids): no shared counter, so starts at the launch
rush never wait on each other. Over n attempts drawing k of a pool of m, a question is drawn n·k/m times on
average, give or take √(n·k/m·(1 − k/m)) (for 2,000 attempts drawing 3 of 10: 600 ± 20)."""

from collections import Counter

from sqlalchemy import and_, case, exists, func, literal, or_, select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.exam import services
from lti_tool.exam.errors import EditRefused, InvalidExam
from lti_tool.exam.models import Draw, Question


def categories(exam):
    """{category: how many questions the exam and its course's bank hold in it}, for the named categories."""
    return _own_categories(exam) + bank_categories(exam.course_id)


def _own_categories(exam):
    return Counter(question.category for question in exam.questions if question.category)


def bank_categories(course_id, names=None):
    """{category: how many questions the course's bank holds in it} (of `names` only, when given)."""
    query = (select(Question.category, func.count()).where(Question.bank_course_id == course_id,
                                                           Question.category != "")
             .group_by(Question.category))
    if names is not None:
        query = query.where(Question.category.in_(names))
    return Counter(dict(db.session.execute(query).all()))


def summary(exam):
    """The rules with the questions each can draw from, and every category of the exam and of the bank."""
    own, bank = _own_categories(exam), bank_categories(exam.course_id)
    counts = own + bank
    return {
        "rules": [{"category": rule.category, "count": rule.count, "available": counts.get(rule.category, 0)}
                  for rule in exam.draws],
        "categories": [{"name": name, "questions": count, "in_bank": bank.get(name, 0)}
                       for name, count in sorted(counts.items())],
    }


def set_rules(exam, rules, *, actor_user_id, origin):
    """Replace the exam's rules with `rules` ([{"category": ..., "count": ...}]); refused, with every reason, when
    one is wrong, and once students have taken the exam (their questions were drawn by the rules they met)."""
    if services.has_attempts(exam.id):
        raise EditRefused("Students have taken this exam, so its random draws cannot change now: later students "
                          "would be drawn questions differently. Duplicate the exam to make a new version.")
    wanted = _read(rules, categories(exam))
    exam.draws = [Draw(category=category, count=count) for category, count in wanted.items()]
    audit.record("exam.draws_set", "exam", exam.id, actor_user_id=actor_user_id, course_id=exam.course_id,
                 data={"draws": wanted}, origin=origin)
    db.session.commit()
    return exam


def _read(rules, counts):
    if not isinstance(rules, list):
        raise InvalidExam('Send the draws as a list: [{"category": "Cells", "count": 3}].')
    wanted, problems = {}, []
    for number, rule in enumerate(rules, 1):
        category = rule.get("category") if isinstance(rule, dict) else None
        count = rule.get("count") if isinstance(rule, dict) else None
        if not isinstance(category, str) or not isinstance(count, int) or isinstance(count, bool):
            problems.append(f'Draw {number} needs a category and a whole number of questions to draw.')
        elif category in wanted:
            problems.append(f"Category “{category}” has two draws; give it one.")
        elif category not in counts:
            problems.append(f"No question of this exam or of the course's bank is in category “{category}”.")
        elif not 1 <= count <= counts[category]:
            problems.append(f"Category “{category}” has {_questions(counts[category])}: draw from 1 to "
                            f"{counts[category]} of them.")
        else:
            wanted[category] = count
    if problems:
        raise InvalidExam("The random draws were not saved. " + " ".join(problems))
    return wanted


def problems(exam):
    """Why the exam's draws could not be taken as they stand (for publishing), every reason at once."""
    counts = categories(exam)
    found = []
    for rule in exam.draws:
        available = counts.get(rule.category, 0)
        if rule.count > available:
            found.append(f"Category “{rule.category}” has {_questions(available)}, and its random draw asks for "
                         f"{rule.count}: add questions or draw fewer.")
        points = sorted({q.points for q in exam.questions if q.category == rule.category}
                        | bank_points(exam.course_id, rule.category))
        if len(points) > 1:
            found.append(f"The questions of category “{rule.category}” are worth different points "
                         f"({', '.join(f'{p:g}' for p in points)}): students drawing different ones would be marked "
                         "out of different totals. Give them the same points.")
    return found


def bank_points(course_id, category, besides=None):
    """The points the course bank's questions of `category` (but question `besides`) are worth (a set: one value
    when they agree)."""
    query = select(Question.points).distinct().where(Question.bank_course_id == course_id,
                                                     Question.category == category, Question.id != besides)
    return set(db.session.scalars(query))


def question_counts(exam):
    """(how many questions the exam holds and can draw from the bank, how many each attempt gets), counted by the
    database: a student's lobby on a bank of hundreds reads no question."""
    per_category = Counter(dict(db.session.execute(
        select(Question.category, func.count()).where(Question.exam_id == exam.id)
        .group_by(Question.category)).all()))
    rules = {rule.category: rule.count for rule in exam.draws}
    if rules:
        per_category += bank_categories(exam.course_id, rules)
    fixed = sum(count for category, count in per_category.items() if category not in rules)
    drawn = sum(min(count, per_category.get(category, 0)) for category, count in rules.items())
    return sum(per_category.values()), fixed + drawn


def has_questions(exam):
    """Whether an attempt at the exam would get a question. Asked, not loaded: a bank of 500 questions would be 500
    rows read for a yes."""
    return db.session.scalar(select(exists().where(_drawable(exam))))


def drawn_ids(exam):
    """The ids of the questions a new attempt gets, in the order it shows them: the exam's own outside the pools,
    then each rule's count of its pool (the exam's and the bank's questions of the category), chosen at random by
    the database in one statement. A start over a bank of 500 reads the 20 it drew, not 500 rows to choose from."""
    rules = {rule.category: rule.count for rule in exam.draws}
    ranked = select(
        Question.id, Question.category, Question.position, Question.exam_id.is_(None).label("in_bank"),
        func.row_number().over(partition_by=Question.category, order_by=func.random()).label("rank"),
    ).where(_drawable(exam)).subquery()
    chosen = or_(ranked.c.category.not_in(list(rules)), ranked.c.rank <= case(rules, value=ranked.c.category))
    return list(db.session.scalars(
        select(ranked.c.id).where(chosen)
        .order_by(ranked.c.in_bank, case((ranked.c.in_bank, ranked.c.category), else_=literal("")),
                  ranked.c.position, ranked.c.id)))


def _drawable(exam):
    """The questions an attempt at the exam may get: its own, and the bank's of the categories its rules draw."""
    own = Question.exam_id == exam.id
    rules = [rule.category for rule in exam.draws]
    if not rules:
        return own
    return or_(own, and_(Question.bank_course_id == exam.course_id, Question.category.in_(rules)))


def _questions(count):
    return "1 question" if count == 1 else f"{count} questions"
