"""One-time links for LTI Dynamic Registration. The tool's admin makes one (`flask lti registration-link`)
and hands it to the LMS admin, who pastes it into Moodle or Canvas; without a valid one the tool fetches
nothing. A link works once and expires; only its hash is stored."""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.errors import AppError
from lti_tool.launch.models import RegistrationLink

TOKEN_BYTES = 32
MAX_VALID_HOURS = 30 * 24
PATH = "/lti/register/"


class RegistrationLinkRefused(AppError):
    http_status = 403
    code = "registration_link_refused"
    title = "This registration link does not work"


NEEDS_A_LINK_HINT = ("Ask the tool's administrator for a registration link (they make one with "
                     "`flask --app lti_tool lti registration-link`), and paste that link into your LMS.")


def _hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def issue(*, base_url, valid_hours, note, origin):
    """Make a link; return its URL (shown once, never stored) and its row."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = RegistrationLink(token_hash=_hash(token), note=(note or None),
                            expires_at=utcnow() + timedelta(hours=valid_hours))
    db.session.add(link)
    db.session.flush()
    audit.record("registration_link.issued", "registration_link", link.id,
                 data={"note": link.note, "expires_at": link.expires_at.isoformat()}, origin=origin)
    db.session.commit()
    return f"{base_url}{PATH}{token}", link


def usable(token):
    """The link a token opens, if it is unused and unexpired; otherwise RegistrationLinkRefused."""
    link = db.session.scalar(select(RegistrationLink).filter_by(token_hash=_hash(token or "")))
    if link is None:
        raise RegistrationLinkRefused("This registration link is not one the tool made.", hint=NEEDS_A_LINK_HINT)
    if link.used_at is not None:
        raise _spent()
    if link.expires_at <= utcnow():
        raise RegistrationLinkRefused("This registration link has expired.", hint=NEEDS_A_LINK_HINT)
    return link


def use(link, platform, *, origin):
    """Spend the link on the platform it registered, in the registration's transaction. Two registrations
    racing with the same link: the second finds it spent and its transaction is rolled back."""
    spent = db.session.execute(
        update(RegistrationLink)
        .where(RegistrationLink.id == link.id, RegistrationLink.used_at.is_(None))
        .values(used_at=utcnow(), platform_id=platform.id)
    )
    if spent.rowcount != 1:
        db.session.rollback()
        raise _spent()
    audit.record("registration_link.used", "registration_link", link.id,
                 data={"platform_id": platform.id, "issuer": platform.issuer, "client_id": platform.client_id},
                 origin=origin)


def _spent():
    return RegistrationLinkRefused("This registration link has already been used to register an LMS.",
                                   hint=NEEDS_A_LINK_HINT)
