"""The demo course's resource links: a default one, plus those deep linking added."""

from dataclasses import dataclass, field

from sqlalchemy import select

from lti_tool.db import db
from lti_tool.demo.models import DemoResourceLink

DEFAULT_LINK_ID = "demo-link-default"
ROW_LINK_PREFIX = "demo-link-"


@dataclass(frozen=True)
class CourseLink:
    """A resource link of the demo course, as launches name it."""

    id: str
    title: str
    url: str | None = None
    custom: dict = field(default_factory=dict)
    line_item_id: int | None = None


DEFAULT_LINK = CourseLink(DEFAULT_LINK_ID, "Demo exam (not bound yet)")


def link_id(row):
    """The LTI resource link id of a DemoResourceLink row."""
    return f"{ROW_LINK_PREFIX}{row.id}"


def _from_row(row):
    """A CourseLink for a DemoResourceLink row."""
    return CourseLink(link_id(row), row.title, row.url, dict(row.custom or {}), row.line_item_id)


def all_links():
    """The default link first, then deep-linked ones in the order they were added."""
    rows = db.session.scalars(select(DemoResourceLink).order_by(DemoResourceLink.id)).all()
    return [DEFAULT_LINK, *(_from_row(row) for row in rows)]


def find(lti_id):
    """The link with this LTI resource link id, or None."""
    if lti_id == DEFAULT_LINK_ID:
        return DEFAULT_LINK
    number = lti_id.removeprefix(ROW_LINK_PREFIX)
    if not lti_id.startswith(ROW_LINK_PREFIX) or not number.isdigit():
        return None
    row = db.session.get(DemoResourceLink, int(number))
    return row and _from_row(row)
