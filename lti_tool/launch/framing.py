"""Which sites may frame the tool (CSP frame-ancestors): the registered platforms, the demo in development, and
FRAME_ANCESTORS. Read from the platforms table at most once per FRAME_ANCESTORS_CACHE_SECONDS per worker, and again
at once after this worker commits a change to a platform."""

import logging
import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy import exc as sa_exc

from lti_tool.config import ORIGIN
from lti_tool.db import db, first_line
from lti_tool.launch.models import Platform

log = logging.getLogger(__name__)

# Instructure-hosted Canvas signs every launch with one of these issuers, whatever the school's host, and frames the
# tool from the school's host (school.instructure.com); a vanity domain (canvas.school.edu) needs FRAME_ANCESTORS.
CANVAS_ISSUER_HOSTS = {"canvas.instructure.com", "canvas.beta.instructure.com", "canvas.test.instructure.com"}
CANVAS_FRAMING = "https://*.instructure.com"


def origin(url):
    """The URL's origin as a CSP source, or None when a CSP cannot name it (an IPv6 literal, a malformed URL)."""
    parts = urlsplit(url or "")
    try:
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname:
        return None
    source = f"{parts.scheme}://{parts.hostname}" + (f":{port}" if port else "")
    return source if ORIGIN.fullmatch(source) else None


def platform_sources(issuer, auth_login_url):
    """Where a platform frames the tool from: its issuer's and its login page's origins (and Canvas's hosts)."""
    sources = [origin(issuer), origin(auth_login_url)]
    if urlsplit(issuer).hostname in CANVAS_ISSUER_HOSTS:
        sources.append(CANVAS_FRAMING)
    return [source for source in sources if source]


def ancestors():
    """The frame-ancestors sources, as the header writes them."""
    return current_app.extensions["frame_ancestors"].get()


class Cache:
    """This worker's frame-ancestors and when to read them again. `clock` is replaceable for tests."""

    def __init__(self, ttl, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self.value = None
        self.expires = 0.0

    def get(self):
        if self.value is None or self.clock() >= self.expires:
            self.value = _read(stale=self.value)
            self.expires = self.clock() + self.ttl
        return self.value

    def drop(self):
        self.value = None


def init_app(app):
    app.extensions["frame_ancestors"] = Cache(app.config["FRAME_ANCESTORS_CACHE_SECONDS"])


def _read(stale):
    config = current_app.config
    demo = [origin(config["DEMO_PLATFORM_URL"])] if config["DEMO_ENABLED"] else []
    try:
        # Its own connection: the request's session may be in a failed transaction when its response is made.
        with db.engine.connect() as connection:
            rows = connection.execute(select(Platform.issuer, Platform.auth_login_url).order_by(Platform.id)).all()
    except (sa_exc.DBAPIError, sa_exc.TimeoutError) as error:
        log.warning("frame-ancestors not refreshed, the platforms could not be read: %s", first_line(error))
        if stale:
            return stale
        rows = []
    platforms = [source for row in rows for source in platform_sources(*row)]
    sources = ["'self'", *platforms, *demo, *config["FRAME_ANCESTORS"]]
    return " ".join(dict.fromkeys(source for source in sources if source))


@event.listens_for(db.session, "after_flush")
def _note_platform_changes(session, flush_context):
    if any(isinstance(row, Platform) for row in (*session.new, *session.dirty, *session.deleted)):
        session.info["platforms_changed"] = True


@event.listens_for(db.session, "after_commit")
def _drop_after_platform_changes(session):
    if session.info.pop("platforms_changed", False):
        current_app.extensions["frame_ancestors"].drop()


@event.listens_for(db.session, "after_rollback")
def _forget_rolled_back_changes(session):
    session.info.pop("platforms_changed", None)
