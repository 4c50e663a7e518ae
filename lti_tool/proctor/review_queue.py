"""An exam's review queue: its students' attempts, those with flags first, ordered by what most needs a person's
look (a force close, then the weight of the flags: camera and absences weigh more than a copy or a right click,
and each minute the page was away or offline counts as an absence), with filters by review status, flag type and
flagged or not."""

from sqlalchemy import func, select

from lti_tool.db import db, utcnow
from lti_tool.errors import AppError
from lti_tool.exam.models import Attempt
from lti_tool.identity.models import User
from lti_tool.proctor import events, presence, review_decisions
from lti_tool.proctor.models import FlagDecision
from lti_tool.realtime.messages import VIOLATION_KINDS

# The camera's or the screen's view of the student was lost or showed something else.
CAMERA_GAPS = frozenset({"no_face", "multiple_faces", "camera_unavailable", "screen_share_stopped",
                         "multiple_screens"})
# The student was away from the exam's page.
ABSENCES = frozenset({"tab_hidden", "window_blur", "fullscreen_exit", "network_lost"})
WEIGHTS = {**dict.fromkeys(CAMERA_GAPS, 3), **dict.fromkeys(ABSENCES, 2)}
FORCE_CLOSED = "terminated"
# A proctor's force close outweighs any number of flags a student can gather in an exam of a few hours.
FORCE_CLOSE_WEIGHT = 1000


class BadQueueFilter(AppError):
    code = "bad_queue_filter"
    title = "That filter is not known"


def priority(counts, status, away_seconds=0.0):
    """How much an attempt needs a look: its flags by weight, each full minute away as one more absence, and a
    force close above all."""
    weight = sum(WEIGHTS.get(kind, 1) * n for kind, n in counts.items())
    weight += WEIGHTS["tab_hidden"] * int(away_seconds // 60)
    return weight + (FORCE_CLOSE_WEIGHT if status == FORCE_CLOSED else 0)


def queue(exam, *, status=None, kind=None, flagged=False):
    """The exam's students' attempts as queue rows, most needing a look first (then by name and attempt)."""
    if status is not None and status not in review_decisions.STATUSES:
        raise BadQueueFilter(f"The review status is one of: {', '.join(review_decisions.STATUSES)}.")
    if kind is not None and kind not in VIOLATION_KINDS:
        raise BadQueueFilter("That is not a type of flag.")
    counts = events.violation_counts(exam.id)
    away = presence.time_away(exam.id, utcnow())
    decided = dict(db.session.execute(
        select(FlagDecision.attempt_id, func.count()).join(Attempt, Attempt.id == FlagDecision.attempt_id)
        .where(Attempt.exam_id == exam.id).group_by(FlagDecision.attempt_id)).all())
    reviews = review_decisions.reviews_of(exam.id)
    names = {r.reviewer_user_id for r in reviews.values()}
    reviewer_names = {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(names)))}
    rows = []
    for attempt, user in db.session.execute(
            select(Attempt, User).join(User, User.id == Attempt.user_id)
            .where(Attempt.exam_id == exam.id, Attempt.is_preview.is_(False))):
        flags = counts.get(attempt.id, {})
        away_seconds = away.get(attempt.id, 0.0)
        review = review_decisions.status_dict(reviews.get(attempt.id), reviewer_names)
        if (status and review["status"] != status) or (kind and kind not in flags) or (flagged and not flags):
            continue
        rows.append({
            "attempt_id": attempt.id, "number": attempt.number, "name": user.display_name, "email": user.email,
            "status": attempt.status, "started_at": attempt.started_at.isoformat(),
            "finished_at": attempt.finished_at and attempt.finished_at.isoformat(),
            "flags": flags, "flag_count": sum(flags.values()),
            "absences": sum(n for k, n in flags.items() if k in ABSENCES),
            "camera_gaps": sum(n for k, n in flags.items() if k in CAMERA_GAPS),
            "away_seconds": round(away_seconds),
            "force_closed": attempt.status == FORCE_CLOSED,
            "undecided_flags": sum(flags.values()) - decided.get(attempt.id, 0),
            "priority": priority(flags, attempt.status, away_seconds), "review": review,
        })
    rows.sort(key=lambda r: (-r["priority"], (r["name"] or "").lower(), r["number"]))
    return rows


def flags_by_minute(exam):
    """How many flags the exam's students raised in each minute since the first of its attempts started:
    {"start": time, "minutes": [{"minute": n, "count": total, "kinds": {type: count}}] (only minutes with flags)}."""
    first = db.session.scalar(select(func.min(Attempt.started_at))
                              .where(Attempt.exam_id == exam.id, Attempt.is_preview.is_(False)))
    if first is None:
        return {"start": None, "minutes": []}
    minutes = {}
    for event in events.for_exam(exam.id):
        if event.kind != events.VIOLATION or event.attempt_id is None:
            continue
        minute = max(0, int((event.at - first).total_seconds() // 60))
        bucket = minutes.setdefault(minute, {"minute": minute, "count": 0, "kinds": {}})
        bucket["count"] += 1
        bucket["kinds"][event.detail] = bucket["kinds"].get(event.detail, 0) + 1
    return {"start": first.isoformat(), "minutes": [minutes[m] for m in sorted(minutes)]}
