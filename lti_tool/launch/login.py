"""OIDC login initiation: pylti1p3 builds the redirect; we keep the state and nonce in the database."""

from dataclasses import dataclass
from datetime import timedelta

from pylti1p3.contrib.flask import FlaskOIDCLogin, FlaskRequest
from pylti1p3.cookie import CookieService
from pylti1p3.exception import OIDCException
from pylti1p3.session import SessionService

from lti_tool.db import db, utcnow
from lti_tool.launch import platforms
from lti_tool.launch.errors import LaunchRefused
from lti_tool.launch.models import LoginState
from lti_tool.launch.tool_conf import DatabaseToolConf

COOKIE_PREFIX = "lti1p3-"
# The login parameters needed to start the same login again in a new window.
REPLAYABLE_PARAMS = (
    "iss", "login_hint", "target_link_uri", "lti_message_hint", "lti_deployment_id", "client_id",
)


class PartitionedCookieService(CookieService):
    """The state cookie, set so that a cross-site LMS iframe sends it back: Secure, SameSite=None, Partitioned."""

    _cookie_prefix = "lti1p3"

    def __init__(self, cookies):
        self.cookies = cookies
        self.pending = {}

    def get_cookie(self, name):
        return self.cookies.get(COOKIE_PREFIX + name)

    def set_cookie(self, name, value, exp=3600):
        self.pending[COOKIE_PREFIX + name] = (value, exp)

    def apply(self, response):
        for key, (value, max_age) in self.pending.items():
            response.set_cookie(
                key, value, max_age=max_age, path="/lti/", secure=True, httponly=True,
                samesite="None", partitioned=True,
            )


class LoginCapture(SessionService):
    """Receives the nonce and state pylti1p3 generates, instead of keeping them in a Flask session."""

    def __init__(self):
        self.nonce = None
        self.state = None

    def save_nonce(self, nonce):
        self.nonce = nonce

    def save_state_params(self, state, params):
        self.state = state


@dataclass
class LoginStart:
    redirect_url: str
    state: str
    nonce: str
    storage_target: str | None
    platform_origin: str
    cookies: PartitionedCookieService


def start(params, cookies, *, launch_url, ttl_seconds, key_bits):
    """Validate a login initiation and record its state; return where to send the browser."""
    params = {k: v for k, v in params.items() if isinstance(v, str)}
    if not params.get("iss") or not params.get("login_hint"):
        raise LaunchRefused("login", "The LMS's login request is missing its issuer or login hint.")
    storage_target = params.get("lti_storage_target") or None
    limit = LoginState.storage_target.type.length
    if storage_target and len(storage_target) > limit:
        raise LaunchRefused("login", f"The LMS's lti_storage_target is {len(storage_target)} characters long; "
                                     f"the tool keeps at most {limit}.")
    request = FlaskRequest(cookies=cookies, session={}, request_data=params, request_is_secure=True)
    cookie_service = PartitionedCookieService(cookies)
    capture = LoginCapture()
    login = FlaskOIDCLogin(request, DatabaseToolConf(key_bits), capture, cookie_service)
    # Passing params makes pylti1p3 hand the generated state to LoginCapture.
    login.pass_params_to_launch({"started": True})
    try:
        redirect_url = login.get_redirect_object(launch_url).get_redirect_url()
    except OIDCException as exc:
        raise LaunchRefused(
            "registration",
            f"This LMS (issuer {params['iss']!r}, client {params.get('client_id') or 'not given'}) "
            "is not registered with the tool.",
            hint="Ask your LMS administrator to register the tool (see the tool's README).",
        ) from exc
    platform = login._registration.platform
    db.session.add(LoginState(
        state=capture.state,
        nonce=capture.nonce,
        platform_id=platform.id,
        login_params={k: params[k] for k in REPLAYABLE_PARAMS if params.get(k)},
        storage_target=storage_target,
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
    ))
    db.session.commit()
    return LoginStart(
        redirect_url=redirect_url,
        state=capture.state,
        nonce=capture.nonce,
        storage_target=storage_target,
        platform_origin=platforms.origin(platform),
        cookies=cookie_service,
    )
