"""Assignment and Grade Services: the demo gradebook's line items, scores and results."""

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.demo import endpoints, roster
from lti_tool.demo.errors import ServiceError
from lti_tool.demo.models import DemoLineItem, DemoScore

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_LINEITEM = AGS + "lineitem"
SCOPE_LINEITEM_READONLY = AGS + "lineitem.readonly"
SCOPE_RESULT_READONLY = AGS + "result.readonly"
SCOPE_SCORE = AGS + "score"
SCOPES = (SCOPE_LINEITEM, SCOPE_LINEITEM_READONLY, SCOPE_RESULT_READONLY, SCOPE_SCORE)

LINEITEM_CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
RESULT_CONTAINER_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"

ACTIVITY_PROGRESS = ("Initialized", "Started", "InProgress", "Submitted", "Completed")
GRADING_PROGRESS = ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady")


def lineitems_url():
    """The course's line item container URL."""
    return endpoints.platform_url("/ags/lineitems")


def lineitem_url(item_id):
    """One line item's URL, which is also its id."""
    return endpoints.platform_url(f"/ags/lineitems/{item_id}")


def claim(line_item_id):
    """The AGS endpoint claim of a launch; names the link's line item when it has one."""
    endpoint = {"scope": list(SCOPES), "lineitems": lineitems_url()}
    if line_item_id is not None:
        endpoint["lineitem"] = lineitem_url(line_item_id)
    return endpoint


def line_item_json(item):
    """A line item as AGS represents it."""
    body = {"id": lineitem_url(item.id), "label": item.label, "scoreMaximum": item.score_maximum}
    for key, value in (("resourceId", item.resource_id), ("tag", item.tag),
                       ("resourceLinkId", item.resource_link_id)):
        if value:
            body[key] = value
    return body


def list_line_items(*, resource_link_id=None, resource_id=None, tag=None):
    """The course's line items, narrowed by the AGS query filters given."""
    query = select(DemoLineItem).order_by(DemoLineItem.id)
    for column, value in ((DemoLineItem.resource_link_id, resource_link_id),
                          (DemoLineItem.resource_id, resource_id), (DemoLineItem.tag, tag)):
        if value:
            query = query.where(column == value)
    return [line_item_json(item) for item in db.session.scalars(query)]


def add_line_item(*, label, score_maximum, resource_id=None, tag=None, resource_link_id=None):
    """Add a line item to the session after checking its label and maximum; the caller commits."""
    if not isinstance(label, str) or not label.strip():
        raise ServiceError("invalid_request", "label is required")
    if not _is_number(score_maximum) or score_maximum <= 0:
        raise ServiceError("invalid_request", "scoreMaximum must be a number greater than 0")
    for name, value in (("resourceId", resource_id), ("tag", tag), ("resourceLinkId", resource_link_id)):
        if value is not None and not isinstance(value, str):
            raise ServiceError("invalid_request", f"{name} must be a string")
    item = DemoLineItem(label=label.strip(), score_maximum=float(score_maximum), resource_id=resource_id,
                        tag=tag, resource_link_id=resource_link_id)
    db.session.add(item)
    db.session.flush()
    return item


def create_line_item(body):
    """Create a line item from an AGS POST body and commit; returns its JSON."""
    body = _object(body)
    item = add_line_item(label=body.get("label"), score_maximum=body.get("scoreMaximum"),
                         resource_id=body.get("resourceId"), tag=body.get("tag"),
                         resource_link_id=body.get("resourceLinkId"))
    db.session.commit()
    return line_item_json(item)


def get_line_item(item_id):
    """The line item with this id, or a 404 refusal."""
    item = db.session.get(DemoLineItem, item_id)
    if item is None:
        raise ServiceError("not_found", f"There is no line item {item_id}.", status=404)
    return item


def record_score(item_id, body):
    """Store a score POSTed to a line item after the checks AGS (and Moodle) make, and commit."""
    item = get_line_item(item_id)
    body = _object(body)
    timestamp = _timestamp(body.get("timestamp"))
    score = DemoScore(
        line_item_id=item.id, user_id=_user_id(body.get("userId")),
        activity_progress=_choice(body, "activityProgress", ACTIVITY_PROGRESS),
        grading_progress=_choice(body, "gradingProgress", GRADING_PROGRESS),
        timestamp=body["timestamp"], comment=_comment(body.get("comment")),
    )
    score.score_given, score.score_maximum = _score_values(body)
    previous = _latest_score(item.id, score.user_id)
    if previous is not None and timestamp <= _timestamp(previous.timestamp):
        raise ServiceError("invalid_request", "timestamp must be later than that of the previous score "
                           f"for this user and line item ({previous.timestamp})")
    db.session.add(score)
    db.session.commit()


def results(item_id, user_id=None):
    """The latest result of each user (or of one user) for a line item, as AGS results."""
    item = get_line_item(item_id)
    latest = _latest_scores(item.id)
    return [_result_json(item, score) for sub, score in latest.items() if user_id in (None, sub)]


def _result_json(item, score):
    """One AGS result built from a user's latest score."""
    body = {"id": f"{lineitem_url(item.id)}/results/{score.user_id}", "scoreOf": lineitem_url(item.id),
            "userId": score.user_id}
    if score.score_given is not None:
        body["resultScore"] = score.score_given
        body["resultMaximum"] = score.score_maximum
    if score.comment:
        body["comment"] = score.comment
    return body


@dataclass(frozen=True)
class GradebookRow:
    """One student and their latest score for a column, if any."""

    person: roster.Person
    score: DemoScore | None


@dataclass(frozen=True)
class GradebookColumn:
    """One line item and a row per student."""

    label: str
    score_maximum: float
    rows: list


def gradebook():
    """Every line item with each student's latest score (or None)."""
    items = db.session.scalars(select(DemoLineItem).order_by(DemoLineItem.id)).all()
    columns = []
    for item in items:
        latest = _latest_scores(item.id)
        rows = [GradebookRow(student, latest.get(student.sub)) for student in roster.STUDENTS]
        columns.append(GradebookColumn(item.label, item.score_maximum, rows))
    return columns


def _latest_scores(item_id):
    """Each user's latest score for a line item, by sub."""
    scores = db.session.scalars(select(DemoScore).filter_by(line_item_id=item_id).order_by(DemoScore.id))
    return {score.user_id: score for score in scores}


def _latest_score(item_id, user_id):
    """A user's latest score for a line item, or None."""
    return db.session.scalar(
        select(DemoScore).filter_by(line_item_id=item_id, user_id=user_id).order_by(DemoScore.id.desc())
    )


def _object(body):
    """The request body, which must be a JSON object."""
    if not isinstance(body, dict):
        raise ServiceError("invalid_request", "the body must be a JSON object")
    return body


def _is_number(value):
    """True for a finite int or float (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _user_id(value):
    """The userId of a score, which must be a member of the course."""
    if not isinstance(value, str) or not value:
        raise ServiceError("invalid_request", "userId is required")
    if roster.find(value) is None:
        raise ServiceError("invalid_request", f"userId {value!r} is not a member of the course")
    return value


def _timestamp(value):
    """The score's ISO 8601 timestamp, which must carry a time zone."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ServiceError("invalid_request", "timestamp is required, in ISO 8601 with a time zone")
    return parsed


def _score_values(body):
    """scoreGiven and scoreMaximum: optional, but a given score needs a maximum (it may exceed it: extra credit)."""
    given, maximum = body.get("scoreGiven"), body.get("scoreMaximum")
    if maximum is not None and (not _is_number(maximum) or maximum <= 0):
        raise ServiceError("invalid_request", "scoreMaximum must be a number greater than 0")
    if given is None:
        return None, (None if maximum is None else float(maximum))
    if not _is_number(given) or given < 0:
        raise ServiceError("invalid_request", "scoreGiven must be a number of at least 0")
    if maximum is None:
        raise ServiceError("invalid_request", "scoreMaximum is required with scoreGiven")
    return float(given), float(maximum)


def _choice(body, name, allowed):
    """A required field that must be one of the allowed AGS values."""
    value = body.get(name)
    if value not in allowed:
        raise ServiceError("invalid_request", f"{name} must be one of {', '.join(allowed)}")
    return value


def _comment(value):
    """An optional comment string."""
    if value is not None and not isinstance(value, str):
        raise ServiceError("invalid_request", "comment must be a string")
    return value
