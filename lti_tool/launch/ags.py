"""The AGS client: line items and scores for a platform's gradebook, on pylti1p3.

pylti1p3 builds and signs the client-credentials assertion and shapes scores and line items; this module
adds what a long-running sender needs: access tokens cached per platform and scope set until they expire
(pylti1p3 keeps one forever per connector), one retry with a fresh token on a 401, every call bounded
(lti_tool/launch/http.py), and errors sorted into "try again later" (`LmsUnavailable`) and "the LMS said
no" (`LmsRefused`).
"""

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from flask import current_app
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from lti_tool.db import db, utcnow
from lti_tool.errors import AppError
from lti_tool.identity.models import Course, ResourceLink
from lti_tool.launch import http, keys
from lti_tool.launch.models import Platform
from lti_tool.launch.tool_conf import PlatformRegistration

AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_SCORE = AGS_SCOPE + "score"
SCOPE_LINEITEM = AGS_SCOPE + "lineitem"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"

# A cached token is dropped this long before the platform says it expires (at most half its life).
TOKEN_MARGIN_SECONDS = 60
# When the platform does not say how long a token lives (OAuth 2 leaves it optional).
DEFAULT_TOKEN_SECONDS = 3600
# Pages of line items read while looking for the link's one, so a looping `next` link cannot hang a sender.
MAX_LINEITEM_PAGES = 20
MESSAGE_CHARS = 500

NO_AGS_MESSAGE = ("This launch carried no AGS line item service; the LMS gives this tool no gradebook access "
                  "for this link.")


class AgsError(AppError):
    """A score or line item did not reach the LMS."""

    http_status = 502
    title = "The LMS gradebook did not take the grade"
    code = "ags_error"


class LmsUnavailable(AgsError):
    """The LMS was down, slow or busy (5xx, 429, timeout, no connection): try again later."""

    http_status = 503
    code = "lms_unavailable"

    def __init__(self, message, *, status=None):
        super().__init__(message)
        self.status = status


class LmsRefused(AgsError):
    """The LMS answered with a 4xx: sending the same request again will not help."""

    code = "lms_refused"

    def __init__(self, message, *, status=None, body=""):
        super().__init__(message)
        self.status = status
        self.body = body


class NoGradebookAccess(AgsError):
    """The link has no line item and no line items service: the LMS gave us no gradebook column."""

    http_status = 409
    code = "no_gradebook_access"


class InvalidScore(AgsError):
    """A score AGS cannot carry (e.g. scoreMaximum 0); never sent."""

    http_status = 400
    code = "invalid_score"


# --- access tokens ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Token:
    value: str
    expires_at: datetime


class TokenCache:
    """Access tokens per (platform, scope set), each valid until its expiry minus a margin. One per app."""

    def __init__(self):
        self._tokens = {}
        self._lock = threading.Lock()

    def get(self, key, now):
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and now < token.expires_at:
                return token.value
            self._tokens.pop(key, None)
            return None

    def put(self, key, value, expires_in, now):
        margin = min(TOKEN_MARGIN_SECONDS, expires_in / 2)
        with self._lock:
            self._tokens[key] = _Token(value, now + timedelta(seconds=expires_in - margin))

    def drop(self, key, value):
        """Forget a token the LMS refused, unless another sender has already replaced it."""
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and token.value == value:
                del self._tokens[key]

    def clear(self):
        with self._lock:
            self._tokens.clear()


def token_cache():
    """The app's token cache: per process, like the connection pool it goes with."""
    return current_app.extensions.setdefault("lti_ags_tokens", TokenCache())


def _expires_in(body):
    try:
        seconds = int(body.get("expires_in", DEFAULT_TOKEN_SECONDS))
    except (TypeError, ValueError):
        return DEFAULT_TOKEN_SECONDS
    return max(seconds, 1)


def _short(text):
    return " ".join((text or "").split())[:MESSAGE_CHARS]


def _http_error(response, what):
    """The typed error for an LMS answer that was not 2xx."""
    status = response.status_code
    body = _short(response.text)
    message = f"{what}: the LMS answered HTTP {status}" + (f": {body}" if body else "")
    if status >= 500 or status == 429:
        return LmsUnavailable(message, status=status)
    return LmsRefused(message, status=status, body=body)


def _network_error(exc, what):
    if isinstance(exc, requests.Timeout):
        return LmsUnavailable(f"{what}: the LMS did not answer in time ({type(exc).__name__})")
    if isinstance(exc, requests.ConnectionError):
        return LmsUnavailable(f"{what}: could not connect to the LMS ({type(exc).__name__})")
    return LmsUnavailable(f"{what}: the request to the LMS failed ({type(exc).__name__}: {_short(str(exc))})")


class CachingServiceConnector(ServiceConnector):
    """pylti1p3's connector with tokens that expire, a retry on 401 and typed errors."""

    def __init__(self, registration, session, cache, now):
        super().__init__(registration, session)
        self._cache = cache
        self._now = now
        self._last_response = None
        session.hooks["response"].append(self._remember)

    def _remember(self, response, *args, **kwargs):
        self._last_response = response

    def _key(self, scopes):
        platform = self._registration.platform
        return (platform.id, platform.issuer, platform.client_id, platform.token_url, tuple(sorted(set(scopes))))

    def get_access_token(self, scopes):
        key = self._key(scopes)
        now = self._now()
        cached = self._cache.get(key, now)
        if cached is not None:
            return cached
        self._access_tokens.clear()  # pylti1p3's own cache never expires; ours decides
        what = "Access token request"
        try:
            with self._requests_session.capped(http.SMALL.max_bytes):
                value = super().get_access_token(scopes)
        except LtiServiceException as exc:
            raise _http_error(exc.response, what) from None
        except requests.JSONDecodeError:
            raise LmsUnavailable(f"{what}: the LMS's token endpoint answered with something not JSON") from None
        except requests.RequestException as exc:
            raise _network_error(exc, what) from None
        except (KeyError, TypeError):
            raise LmsRefused(f"{what}: the LMS's answer carried no access_token: "
                             f"{_short(self._last_response.text)}") from None
        finally:
            self._access_tokens.clear()
        self._cache.put(key, value, _expires_in(self._last_response.json()), now)
        return value

    def make_service_request(self, scopes, url, *, what="AGS request", **kwargs):
        """pylti1p3's request with typed errors; on a 401 the cached token is dropped and tried once more."""
        for retry in (False, True):
            token = self.get_access_token(scopes)
            try:
                return super().make_service_request(scopes, url, **kwargs)
            except LtiServiceException as exc:
                if exc.response.status_code == 401 and not retry:
                    self._cache.drop(self._key(scopes), token)
                    continue
                raise _http_error(exc.response, what) from None
            except requests.JSONDecodeError:
                # A 2xx whose body is not JSON: the LMS did what was asked (a score POST needs no body).
                response = self._last_response
                if response is not None and response.ok:
                    return {"headers": dict(response.headers), "body": None, "next_page_url": None}
                raise LmsUnavailable(f"{what}: the LMS answered with something not JSON") from None
            except requests.RequestException as exc:
                raise _network_error(exc, what) from None
        raise AssertionError("unreachable")


# --- URLs and values ----------------------------------------------------------------------------------

def scores_url(lineitem_url):
    """The line item's scores endpoint: "/scores" added to the path, before any query string."""
    return AssignmentsGradesService._add_url_path_ending(lineitem_url, "scores")


def with_query(url, **params):
    """The URL with params added to its query string (which may already have some, as Moodle's do)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def iso_timestamp(moment):
    """ISO 8601 in UTC with the zone, to the whole second: what LMSs (Moodle) compare."""
    if moment.tzinfo is None:
        raise ValueError("score timestamps must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def platform_of(link):
    course = db.session.get(Course, link.course_id)
    return db.session.get(Platform, course.platform_id)


# --- the client ---------------------------------------------------------------------------------------

class AgsClient:
    """AGS calls to one platform. `now` is a fixed or injected clock for token expiry (tests pass one);
    `limits` bound its answers (http.SERVICE; the roster takes http.ROSTER)."""

    def __init__(self, platform, *, now=None, limits=http.SERVICE):
        self.platform = platform
        self._clock = now if callable(now) else (lambda: now or utcnow())
        self.session = http.session(limits)
        registration = PlatformRegistration(platform, keys.current(current_app.config["TOOL_KEY_BITS"]))
        self.connector = CachingServiceConnector(registration, self.session, token_cache(), self._clock)

    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check_platform(self, link):
        course = db.session.get(Course, link.course_id)
        if course is None or course.platform_id != self.platform.id:
            raise ValueError(f"resource link {link.id} does not belong to platform {self.platform.id}")

    def post_score(self, link, user, *, score_given, score_maximum, timestamp):
        """Post a final score for the user to the link's line item. Returns the LMS's answer body."""
        self._check_platform(link)
        if not link.lineitem_url:
            raise NoGradebookAccess(NO_AGS_MESSAGE if not link.lineitems_url else
                                    "The link has no line item yet; ensure_line_item must make one first.")
        if user.platform_id != self.platform.id:
            raise ValueError(f"user {user.id} does not belong to platform {self.platform.id}")
        try:
            grade = (Grade().set_score_given(score_given).set_score_maximum(score_maximum)
                     .set_activity_progress("Completed").set_grading_progress("FullyGraded")
                     .set_timestamp(iso_timestamp(timestamp)).set_user_id(user.sub))
        except LtiException as exc:
            raise InvalidScore(f"The score cannot be sent: {exc}") from None
        if score_maximum <= 0:
            raise InvalidScore("The score cannot be sent: AGS needs a scoreMaximum greater than 0.")
        response = self.connector.make_service_request(
            [SCOPE_SCORE], scores_url(link.lineitem_url), what="Score", is_post=True,
            data=grade.get_value(), content_type=SCORE_MEDIA_TYPE,
        )
        return response["body"]

    def find_line_item(self, link):
        """The line item the platform holds for this resource link, if any (GET lineitems?resource_link_id=)."""
        url = with_query(link.lineitems_url, resource_link_id=link.lti_id)
        for _ in range(MAX_LINEITEM_PAGES):
            response = self.connector.make_service_request(
                [SCOPE_LINEITEM], url, what="Line item search", accept=LINEITEMS_MEDIA_TYPE,
            )
            items = response["body"]
            if not isinstance(items, list):
                raise LmsRefused(f"Line item search: the LMS answered with a {type(items).__name__}, not a list")
            # Some platforms ignore the filter; match the link ourselves.
            for item in items:
                if isinstance(item, dict) and str(item.get("resourceLinkId")) == link.lti_id and item.get("id"):
                    return item
            url = response["next_page_url"]
            if not url:
                return None
        return None

    def create_line_item(self, link, *, label, score_maximum, resource_id):
        try:
            item = (LineItem().set_label(label).set_score_maximum(score_maximum)
                    .set_resource_id(resource_id).set_resource_link_id(link.lti_id))
        except LtiException as exc:
            raise InvalidScore(f"The line item cannot be made: {exc}") from None
        response = self.connector.make_service_request(
            [SCOPE_LINEITEM], link.lineitems_url, what="Line item creation", is_post=True,
            data=item.get_value(), content_type=LINEITEM_MEDIA_TYPE, accept=LINEITEM_MEDIA_TYPE,
        )
        body = response["body"]
        if not isinstance(body, dict) or not body.get("id"):
            raise LmsRefused(f"Line item creation: the LMS's answer carried no line item id: {_short(str(body))}")
        return body

    def ensure_line_item(self, link, *, label, score_maximum, resource_id):
        """The link's line item URL: the one it has, else the platform's for this link, else a new one.
        Stores it on the link and commits."""
        self._check_platform(link)
        if link.lineitem_url:
            return link.lineitem_url
        if not link.lineitems_url:
            raise NoGradebookAccess(NO_AGS_MESSAGE)
        # Lock the link (PostgreSQL) so two senders do not both make a column for it.
        link = db.session.execute(
            select(ResourceLink).where(ResourceLink.id == link.id).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        try:
            if not link.lineitem_url:
                item = self.find_line_item(link) or self.create_line_item(
                    link, label=label, score_maximum=score_maximum, resource_id=resource_id)
                link.lineitem_url = item["id"]
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return link.lineitem_url


def post_score(link, user, *, score_given, score_maximum, timestamp, now=None):
    """Post one score (see AgsClient.post_score); a sender with many scores keeps one AgsClient."""
    with AgsClient(platform_of(link), now=now) as client:
        return client.post_score(link, user, score_given=score_given, score_maximum=score_maximum,
                                 timestamp=timestamp)


def ensure_line_item(link, *, label, score_maximum, resource_id, now=None):
    """The link's line item URL, found or created in link.lineitems_url when it had none (committed)."""
    if link.lineitem_url:
        return link.lineitem_url
    with AgsClient(platform_of(link), now=now) as client:
        return client.ensure_line_item(link, label=label, score_maximum=score_maximum, resource_id=resource_id)
