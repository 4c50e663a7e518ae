"""The demo platform's own rows: its signing key, links made by deep linking, line items, scores, switches."""

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import UTCDateTime, db, utcnow


class DemoKey(db.Model):
    __tablename__ = "demo_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DemoLineItem(db.Model):
    __tablename__ = "demo_line_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(300))
    score_maximum: Mapped[float] = mapped_column(Float)
    resource_id: Mapped[str | None] = mapped_column(String(255))
    tag: Mapped[str | None] = mapped_column(String(255))
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DemoResourceLink(db.Model):
    """A link the demo course got from the tool's deep linking response."""

    __tablename__ = "demo_resource_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    custom: Mapped[dict] = mapped_column(JSON, default=dict)
    line_item_id: Mapped[int | None] = mapped_column(ForeignKey("demo_line_items.id", ondelete="SET NULL"))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DemoScore(db.Model):
    __tablename__ = "demo_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(ForeignKey("demo_line_items.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float | None] = mapped_column(Float)
    score_maximum: Mapped[float | None] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(40))
    grading_progress: Mapped[str] = mapped_column(String(40))
    timestamp: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    received_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class DemoSwitch(db.Model):
    """A named on/off setting of the demo, kept in the database so every server worker sees it."""

    __tablename__ = "demo_switches"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_at = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False)
