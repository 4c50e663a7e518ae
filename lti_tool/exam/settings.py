"""An exam's settings as the authoring API sends them: checked field by field, every problem reported."""

from datetime import datetime

from lti_tool.exam import grading_method, review
from lti_tool.exam.errors import InvalidExam

TITLE_MAX = 300
INSTRUCTIONS_MAX = 20000
# Settings that change how attempts are scored; frozen once anyone has an attempt.
SCORING_FIELDS = frozenset({"partial_credit"})


def _text(limit, required):
    def check(value):
        if not isinstance(value, str):
            return None, "must be text"
        value = value.strip()
        if required and not value:
            return None, "cannot be empty"
        if len(value) > limit:
            return None, f"can be at most {limit} characters"
        return value, None
    return check


def _integer(low, high):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None, f"must be a whole number from {low} to {high}"
        return value, None
    return check


def _flag(value):
    return (value, None) if isinstance(value, bool) else (None, "must be true or false")


def _one_of(choices):
    def check(value):
        if value not in choices:
            return None, f"must be one of {', '.join(choices)}"
        return value, None
    return check


def _moment(value):
    if value is None:
        return None, None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None, "must be a date and time with a time zone, e.g. 2026-12-01T09:00:00+01:00"
    return moment, None


def _percent_or_none(value):
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        return None, "must be a percentage from 0 to 100, or empty"
    return float(value), None


FIELDS = {
    "title": _text(TITLE_MAX, required=True),
    "instructions": _text(INSTRUCTIONS_MAX, required=False),
    "opens_at": _moment,
    "closes_at": _moment,
    "duration_minutes": _integer(1, 24 * 60),
    "shuffle_questions": _flag,
    "shuffle_options": _flag,
    "attempts_allowed": _integer(1, 20),
    "grading_method": _one_of(grading_method.METHODS),
    "pass_mark": _percent_or_none,
    "review_when": _one_of(review.TIMINGS),
    **{name: _flag for name in review.PARTS},
    "partial_credit": _flag,
    "require_fullscreen": _flag,
}


def parse(data, *, current=None):
    """The checked column values for the fields present in `data`; InvalidExam lists every problem."""
    if not isinstance(data, dict):
        raise InvalidExam("The exam settings must be a JSON object.")
    problems = [f"{name}: unknown setting" for name in data if name not in FIELDS]
    fields = {}
    values = {}
    for name, value in data.items():
        if name in FIELDS:
            checked, problem = FIELDS[name](value)
            if problem:
                problems.append(f"{name} {problem}")
                fields[name] = _sentence(problem)
            else:
                values[name] = checked
    opens = values.get("opens_at", getattr(current, "opens_at", None))
    closes = values.get("closes_at", getattr(current, "closes_at", None))
    if opens is not None and closes is not None and closes <= opens:
        problems.append("closes_at must be after opens_at")
        fields["closes_at"] = "Must be after the time it opens."
    when = values.get("review_when", getattr(current, "review_when", review.NEVER))
    if when != review.NEVER and not any(values.get(name, getattr(current, name, True)) for name in review.PARTS):
        problems.append(f"review_when is {when} but nothing is chosen to show: choose at least one of "
                        f"{', '.join(review.PARTS)}, or set review_when to {review.NEVER}")
        fields["review_when"] = "Nothing is chosen to show: tick at least one part of the review, or choose Never."
    if problems:
        raise InvalidExam("The settings were not saved: " + "; ".join(problems) + ".", fields=fields)
    return values


def _sentence(problem):
    """"must be text" -> "Must be text.": a problem as said next to its field."""
    return f"{problem[0].upper()}{problem[1:]}."


def parse_accommodation(extra_minutes, time_multiplier):
    """(extra minutes 0..1440, multiplier 1..4) or InvalidExam saying which is wrong."""
    extra, problem = _integer(0, 24 * 60)(extra_minutes)
    if problem:
        raise InvalidExam(f"extra_minutes {problem}.", fields={"extra_minutes": _sentence(problem)})
    ok = not isinstance(time_multiplier, bool) and isinstance(time_multiplier, int | float)
    if not ok or not 1 <= time_multiplier <= 4:
        problem = "must be a number from 1 to 4 (e.g. 1.5 for 50% more time)"
        raise InvalidExam(f"time_multiplier {problem}.", fields={"time_multiplier": _sentence(problem)})
    return extra, float(time_multiplier)
