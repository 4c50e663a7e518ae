"""How a student's finished attempts make the one grade the LMS gets, as Moodle quiz teachers know it: the
highest attempt, the average of all, the first or the last. Pure: attempts in, the grade and the attempts that
count out."""

from dataclasses import dataclass

HIGHEST, AVERAGE, FIRST, LAST = "highest", "average", "first", "last"
METHODS = (HIGHEST, AVERAGE, FIRST, LAST)
DEFAULT = HIGHEST


@dataclass(frozen=True)
class Grade:
    score_given: float
    score_maximum: float
    counting: tuple  # the ids of the attempts that make the grade, in attempt order


def grade(method, finished):
    """The grade of finished attempts (anything with id, number, score and max_score), or None without any.
    Highest keeps the earlier of equal bests. Average is of the attempts' fractions, given on the latest
    attempt's maximum (attempts of one exam share it: questions cannot change once anyone has an attempt)."""
    if method not in METHODS:
        raise ValueError(f"unknown grading method {method!r}")
    if not finished:
        return None
    ordered = sorted(finished, key=lambda attempt: attempt.number)
    if method == AVERAGE:
        maximum = ordered[-1].max_score
        given = round(sum(_fraction(a) for a in ordered) / len(ordered) * maximum, 4)
        return Grade(given, maximum, tuple(a.id for a in ordered))
    if method == FIRST:
        chosen = ordered[0]
    elif method == LAST:
        chosen = ordered[-1]
    else:
        chosen = max(ordered, key=_fraction)
    return Grade(chosen.score, chosen.max_score, (chosen.id,))


def _fraction(attempt):
    return attempt.score / attempt.max_score if attempt.max_score else 0.0
