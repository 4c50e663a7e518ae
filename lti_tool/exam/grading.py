"""Scoring an attempt from its answers. Pure: questions and answers in, a breakdown out."""

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    points: float
    earned: float
    chosen: tuple
    correct: tuple

    def as_dict(self):
        return {"question_id": self.question_id, "points": self.points, "earned": self.earned,
                "chosen": list(self.chosen), "correct": list(self.correct)}


def grade_question(question, chosen_ids, *, partial_credit):
    """Single answer: all or nothing. Multi answer: all or nothing, or weighted partial credit never
    below zero when the exam allows it."""
    options = {o.id: o for o in question.options}
    chosen = tuple(sorted(i for i in set(chosen_ids) if i in options))
    correct = tuple(sorted(o.id for o in question.options if o.is_correct))
    if question.kind == "multi" and partial_credit:
        fraction = _partial_fraction(question.options, chosen)
    else:
        fraction = 1.0 if chosen == correct else 0.0
    return QuestionResult(question.id, question.points, round(question.points * fraction, 4), chosen, correct)


def _partial_fraction(options, chosen):
    """Weighted: the sum of chosen weights (percent). Unweighted: each right pick earns an equal share
    and each wrong pick takes one away. Clamped to 0..1."""
    by_id = {o.id: o for o in options}
    if any(o.weight is not None for o in options):
        total = sum(by_id[i].weight or 0.0 for i in chosen) / 100.0
    else:
        right = [o for o in options if o.is_correct]
        share = 1.0 / len(right)
        total = sum(share if by_id[i].is_correct else -share for i in chosen)
    return min(1.0, max(0.0, total))


def grade(questions, answers, *, partial_credit):
    """(score, max_score, breakdown) for questions in attempt order and answers {question_id: option ids}."""
    results = [grade_question(q, answers.get(q.id, ()), partial_credit=partial_credit) for q in questions]
    score = round(sum(r.earned for r in results), 4)
    max_score = round(sum(r.points for r in results), 4)
    return score, max_score, [r.as_dict() for r in results]
