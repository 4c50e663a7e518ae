"""Validating a launch: pylti1p3's checks, plus what it lacks (one-time nonces, JWKS refetch,
strict algorithm, audience and issuer, a size limit, only text the databases can store), each failure
named after the check that failed."""

import dataclasses
import logging
from datetime import timedelta

import jwt
import requests
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
from pylti1p3.exception import LtiException
from pylti1p3.session import SessionService
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from lti_tool import plain_text
from lti_tool.db import db, utcnow
from lti_tool.launch import key_sets, platforms
from lti_tool.launch.claims import claim_name
from lti_tool.launch.errors import LaunchRefused, StateCookieMissing
from lti_tool.launch.login import COOKIE_PREFIX, PartitionedCookieService
from lti_tool.launch.models import LoginState, UsedNonce
from lti_tool.launch.tool_conf import DatabaseToolConf

log = logging.getLogger(__name__)

# LTI 1.3 (IMS Security Framework) signs id_tokens with RS256.
ALLOWED_ALGORITHMS = ("RS256",)
CLOCK_LEEWAY = 60
# An unknown kid refetches the platform's JWKS, but not more often than this.
JWKS_REFETCH_INTERVAL = timedelta(seconds=30)
# Moodle's and Canvas's id_tokens are a few KiB; a larger one is refused before it is decoded.
ID_TOKEN_MAX_BYTES = 64 * 1024


class NoSession(SessionService):
    """pylti1p3 keeps nothing in a session: state, nonce and launch data live in our tables."""

    def __init__(self):
        pass

    def save_launch_data(self, key, jwt_body):
        pass

    def set_state_valid(self, state, id_token_hash):
        pass

    def check_state_is_valid(self, state, id_token_hash):
        return False


class ToolMessageLaunch(FlaskMessageLaunch):
    def __init__(self, request, tool_conf, login_state, http):
        super().__init__(request, tool_conf, session_service=NoSession(),
                         cookie_service=PartitionedCookieService({}), requests_session=http)
        self.login_state = login_state

    @property
    def platform(self):
        return self._registration.platform

    @property
    def claims(self):
        return self._jwt["body"]

    def validate(self):
        self._validated = True
        steps = (
            ("format", self.validate_jwt_format, 400),
            ("claim_text", self.validate_text, 400),
            ("algorithm", self.validate_algorithm, 401),
            ("kid", self.validate_kid, 401),
            ("registration", self.validate_registration, 400),
            ("signature", self.validate_jwt_signature, 401),
            ("nonce", self.validate_nonce, 400),
            ("deployment", self.validate_deployment, 403),
            ("message", self.validate_message, 400),
        )
        for check, step, status in steps:
            try:
                step()
            except LtiException as exc:
                raise LaunchRefused(check, _explain(check, exc), status=status) from exc
            except (AttributeError, TypeError, KeyError, ValueError) as exc:
                # A claim of the wrong JSON type trips pylti1p3 itself; it is still a bad message.
                log.warning("launch check %s hit a malformed message", check, exc_info=True)
                raise LaunchRefused(check, _explain(check, f"malformed: {exc.__class__.__name__}"),
                                    status=400) from exc
        return self

    def validate_jwt_format(self):
        super().validate_jwt_format()
        if not isinstance(self._jwt.get("header"), dict) or not isinstance(self._jwt.get("body"), dict):
            raise LtiException("id_token header and payload must be JSON objects")

    def validate_text(self):
        """No claim holds text the databases cannot store; checked before any claim is looked up."""
        flaw = plain_text.find(self._jwt["body"])
        if flaw is not None:
            flaw = dataclasses.replace(flaw, path=claim_name(flaw.path))
            raise LaunchRefused("claim_text", f"In the launch's claims, {flaw}, which the tool cannot store.",
                                hint="Tell the LMS's administrator which claim it was.")

    def validate_algorithm(self):
        header = self._jwt.get("header", {})
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise LtiException(f"id_token is signed with {header.get('alg')!r}; only RS256 is accepted")

    def validate_kid(self):
        if not self._jwt["header"].get("kid"):
            raise LtiException("id_token header has no kid")

    def validate_registration(self):
        super().validate_registration()
        if self.platform.id != self.login_state.platform_id:
            raise LtiException("the launch comes from another platform than the login that started it")

    def validate_jwt_signature(self):
        if not self.platform.jwks_cache:
            self._fetch_platform_keys()
        try:
            public_key, _ = self.get_public_key()
        except LtiException:
            fetched = self.platform.jwks_fetched_at
            if fetched is not None and utcnow() - fetched < JWKS_REFETCH_INTERVAL:
                raise
            self._fetch_platform_keys()
            public_key, _ = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(), public_key, algorithms=list(ALLOWED_ALGORITHMS),
                audience=self.platform.client_id, issuer=self.platform.issuer, leeway=CLOCK_LEEWAY,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRefused("expired", "The launch has expired.", status=401) from exc
        except jwt.InvalidAudienceError as exc:
            raise LaunchRefused("audience", "The launch was meant for another tool (aud).", status=401) from exc
        except jwt.InvalidIssuerError as exc:
            raise LaunchRefused("issuer", "The launch names another issuer (iss).", status=401) from exc
        except (jwt.InvalidSignatureError, jwt.DecodeError) as exc:
            raise LtiException(f"signature check failed: {exc}") from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchRefused("claims", f"The launch's standard claims are invalid: {exc}.", status=401) from exc
        aud = self.claims.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and self.claims.get("azp") != self.platform.client_id:
            raise LaunchRefused("audience", "The launch has several audiences and no matching azp.", status=401)

    def _fetch_platform_keys(self):
        platform = self.platform
        try:
            response = self._requests_session.get(platform.jwks_url)
            response.raise_for_status()
            key_set = key_sets.checked(response.json())
        except (requests.RequestException, ValueError) as exc:
            log.warning("fetching JWKS %s failed: %s", platform.jwks_url, exc)
            raise LaunchRefused(
                "jwks", "The LMS's signing keys could not be fetched to check this launch.", status=424,
                hint="The LMS may be briefly unavailable. Wait a moment and open the tool again.",
            ) from exc
        platforms.store_key_set(platform.id, key_set)
        db.session.commit()
        self._registration.set_key_set(key_set)

    def validate_nonce(self):
        nonce = self.claims.get("nonce")
        if not nonce or nonce != self.login_state.nonce:
            raise LtiException("nonce does not match the login")
        expires = max(utcnow(), self.login_state.expires_at) + timedelta(days=1)
        # In the launch's own transaction, written at once: the nonce's key refuses a replay here, and a launch
        # refused later (no role in the course) leaves its nonce unused, as nothing else of it is kept either.
        try:
            db.session.connection().execute(insert(UsedNonce.__table__).values(
                issuer=self.platform.issuer, nonce=nonce, expires_at=expires))
        except IntegrityError as exc:
            db.session.rollback()
            raise LaunchRefused(
                "replay", "This launch was already used once and cannot be used again.", status=403,
                hint="Open the tool again from your course page to start a fresh launch.",
            ) from exc


def _explain(check, exc):
    explanations = {
        "format": "The launch's id_token is not a well-formed JWT.",
        "algorithm": "The launch is not signed with RS256.",
        "kid": "The launch does not name the key (kid) it was signed with.",
        "registration": "The launch comes from an LMS or client that is not registered with the tool.",
        "signature": "The launch's signature does not verify against the LMS's published keys.",
        "nonce": "The launch's nonce does not match the login the tool started.",
        "deployment": "This deployment of the tool is not registered.",
        "message": "The launch message is incomplete or of an unsupported type.",
    }
    log.info("launch check %s failed: %s", check, exc)
    return f"{explanations[check]} ({exc})"


def validate(form, cookies, *, key_bits, http, storage_state=None):
    """Check a launch POST end to end; return the validated ToolMessageLaunch.

    The login's state must come back in its cookie, or, where the browser kept no cookie, as
    `storage_state`: what the tool's own page read from the platform's storage (LTI Platform Storage) and
    sent in a same-origin JSON request. A state in the posted form proves nothing: whoever forges the form
    writes it there too."""
    form = {k: v for k, v in form.items() if isinstance(v, str)}
    if not form.get("id_token"):
        raise LaunchRefused("id_token", "The launch carried no id_token.")
    if len(form["id_token"]) > ID_TOKEN_MAX_BYTES:
        raise LaunchRefused(
            "id_token_size", f"The launch's id_token is {len(form['id_token']) // 1024} KiB; the tool takes at most "
            f"{ID_TOKEN_MAX_BYTES // 1024} KiB.", status=413,
            hint="The LMS sent far more than a launch needs, perhaps in a custom parameter. Tell its administrator.",
        )
    state = form.get("state")
    login_state = db.session.get(LoginState, state) if state else None
    if login_state is None or login_state.expires_at < utcnow():
        raise LaunchRefused(
            "state", "This launch does not match a login the tool started, or it took longer than 10 minutes."
        )
    cookie_ok = cookies.get(COOKIE_PREFIX + state) == state
    storage_ok = bool(login_state.storage_target) and storage_state == state
    if not (cookie_ok or storage_ok):
        raise StateCookieMissing(login_state)
    request = FlaskRequest(cookies=cookies, session={}, request_data=form, request_is_secure=True)
    return ToolMessageLaunch(request, DatabaseToolConf(key_bits), login_state, http).validate()
