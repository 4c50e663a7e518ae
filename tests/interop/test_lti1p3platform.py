"""Interoperability with an LTI 1.3 platform this project does not own: the PyPI package lti1p3platform.

lti1p3platform builds the OIDC login initiation, answers the tool's auth request with an id_token
signed by its own key, publishes that key as a JWKS (served here over loopback HTTP) and validates
the tool's Deep Linking response. The forgeries start from its genuine messages.
"""

import base64
import hashlib
import hmac
import json
import threading
from urllib.parse import parse_qsl, urlsplit

import jwt
import pytest
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from werkzeug.serving import make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response

from tests.conftest import TOOL_BASE_URL, launch_data
from tests.launch.test_launch_checks import failed_check
from tests.lti_platform import INSTRUCTOR, LEARNER, TEACHING_ASSISTANT

CLIENT_ID = "lti1p3platform-client"
DEPLOYMENT_ID = "lti1p3platform-deployment"
LOGIN_URL = f"{TOOL_BASE_URL}/lti/login"
LAUNCH_URL = f"{TOOL_BASE_URL}/lti/launch"
RETURN_URL = "https://lms.example/deep-link-return"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


class PlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform's platform configuration, holding its one registration of the tool."""

    def init_platform_config(self, registration):
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class OIDCLogin(OIDCLoginAbstract):
    """lti1p3platform's login initiation; the redirect it would send is returned as a URL."""

    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["resource_link_id"]

    def get_redirect(self, url):
        return url


class AuthRequest(Request):
    """The tool's OIDC auth request, as the platform's auth endpoint receives it."""

    def build_metadata(self, query):
        return {"method": "GET", "get_data": query, "form_data": {}, "headers": {}, "content_type": None,
                "path": "/auth", "json": None}


class MessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """lti1p3platform's answer to the auth request; the auto-submitted form is returned as its fields."""

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class Lti1p3Platform:
    """An LMS run by lti1p3platform, its JWKS served at http://127.0.0.1:<port>/jwks."""

    def __init__(self, private_pem, public_pem):
        self.jwks_requests = 0
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.auth_url = f"{self.issuer}/auth"
        self.registration = (
            Registration().set_iss(self.issuer).set_client_id(CLIENT_ID).set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(LOGIN_URL).set_launch_url(LAUNCH_URL).set_deeplink_launch_url(LAUNCH_URL)
            .set_platform_private_key(private_pem).set_platform_public_key(public_pem)
        )
        self.conf = PlatformConf(registration=self.registration)
        self.public_pem = public_pem

    @WsgiRequest.application
    def _wsgi(self, request):
        if request.path != "/jwks":
            return Response(status=404)
        self.jwks_requests += 1
        return Response(json.dumps(self.conf.get_jwks()), mimetype="application/json")

    def start(self):
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()

    def login_initiation(self, deep_linking=False):
        """The URL lti1p3platform sends the browser to, to start a launch at the tool."""
        login = OIDCLogin(None, self.conf)
        login.set_lti_message_hint(resource_link_id="link-1")
        if deep_linking:
            login.set_deeplinking_launch_url()
        return login.initiate_login("user-1")

    def answer(self, auth_query, roles, deep_link_return_url=None, expiration=None):
        """The launch form (state, id_token, launch_url) lti1p3platform posts back for an auth request."""
        launch = MessageLaunch(AuthRequest(auth_query), self.conf)
        launch.set_user_data(auth_query["login_hint"], list(roles), full_name="Ada Lovelace",
                             email_address="ada@example.edu")
        launch.set_launch_context_claim("course-1", context_title="Interop course", context_label="INTEROP")
        if deep_link_return_url:
            launch.set_dl(deep_link_return_url, title="Add an exam", accept_types={"ltiResourceLink"},
                          extra_data={"placement": "week-1"})
        else:
            launch.set_resource_link_claim(auth_query["lti_message_hint"], title="Interop link")
        if expiration is not None:
            launch.set_id_token_expiration(expiration)
        return launch.lti_launch()

    def resign(self, id_token, changes, headers=None):
        """The payload of a genuine id_token, altered and signed again with the platform's key."""
        payload = {**claims_of(id_token), **changes}
        if headers is None:
            return self.registration.platform_encode_and_sign(payload)
        return Registration.encode_and_sign(payload, self.registration.get_platform_private_key(), headers)


class Browser:
    """Plays the user's browser between the tool (Flask test client) and lti1p3platform."""

    def __init__(self, client, platform):
        self.client = client
        self.platform = platform

    def login(self, deep_linking=False):
        """Follow lti1p3platform's login initiation; return the auth request the tool redirects to."""
        initiation = urlsplit(self.platform.login_initiation(deep_linking))
        assert f"{initiation.scheme}://{initiation.netloc}{initiation.path}" == LOGIN_URL
        response = self.client.get(initiation.path, query_string=initiation.query, base_url=TOOL_BASE_URL)
        assert response.status_code == 302, response.get_data(as_text=True)
        location = urlsplit(response.headers["Location"])
        assert f"{location.scheme}://{location.netloc}{location.path}" == self.platform.auth_url
        auth = dict(parse_qsl(location.query))
        assert auth["redirect_uri"] == LAUNCH_URL
        return auth

    def post(self, form):
        """Submit lti1p3platform's launch form to the tool."""
        assert form["launch_url"] == LAUNCH_URL
        return self.client.post("/lti/launch", data={"id_token": form["id_token"], "state": form["state"]},
                                base_url=TOOL_BASE_URL)

    def launch(self, roles, **answer):
        return self.post(self.platform.answer(self.login(), roles, **answer))


def claims_of(id_token):
    return jwt.decode(id_token, options={"verify_signature": False})


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def platform_keys():
    """lti1p3platform takes its RSA key as PEM; one key for the run keeps the tests fast."""
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode(), key.export_to_pem().decode()


@pytest.fixture
def platform(platform_keys, runner):
    """lti1p3platform serving its JWKS, registered with the tool by an admin through the CLI."""
    platform = Lti1p3Platform(*platform_keys).start()
    result = runner.invoke(args=[
        "lti", "add-platform", "--issuer", platform.issuer, "--client-id", CLIENT_ID,
        "--auth-login-url", platform.auth_url, "--token-url", f"{platform.issuer}/token",
        "--jwks-url", f"{platform.issuer}/jwks", "--deployment-id", DEPLOYMENT_ID, "--name", "lti1p3platform",
    ])
    assert result.exit_code == 0, result.output
    yield platform
    platform.stop()


@pytest.fixture
def browser(client, platform):
    return Browser(client, platform)


def test_the_tools_auth_request_is_what_an_oidc_platform_expects(browser):
    """The tool answers lti1p3platform's login initiation with a complete OIDC auth request."""
    auth = browser.login()
    assert auth["response_type"] == "id_token" and auth["response_mode"] == "form_post"
    assert auth["scope"] == "openid" and auth["prompt"] == "none"
    assert auth["client_id"] == CLIENT_ID
    assert auth["login_hint"] == "user-1" and auth["lti_message_hint"] == "link-1"
    assert auth["state"] and auth["nonce"]


@pytest.mark.parametrize(("roles", "landing", "tool_roles"), [
    ((LEARNER,), "/exam/lobby", ["student"]),
    ((INSTRUCTOR,), "/exam/manage", ["test_maker"]),
    ((INSTRUCTOR, TEACHING_ASSISTANT), "/proctor/", ["proctor"]),
])
def test_each_role_launches_through_lti1p3platform(browser, client, platform, roles, landing, tool_roles):
    """A genuine lti1p3platform launch lands each role on its page, verified against its served JWKS."""
    response = browser.launch(roles)
    assert response.status_code == 200, response.get_data(as_text=True)
    data = launch_data(response)
    assert data["landing"] == landing
    assert platform.jwks_requests == 1
    me = client.get("/api/session", headers=bearer(data["token"]))
    assert me.status_code == 200
    assert me.json["roles"] == tool_roles
    assert (me.json["user"]["name"], me.json["user"]["email"]) == ("Ada Lovelace", "ada@example.edu")
    assert me.json["course"]["title"] == "Interop course"
    assert me.json["resource_link"]["title"] == "Interop link"


def test_the_id_token_is_signed_with_the_key_lti1p3platform_publishes(browser, platform):
    """Its id_token's kid names the one key in its JWKS, so the tool can pick the key."""
    form = platform.answer(browser.login(), [LEARNER])
    [jwk] = platform.conf.get_jwks()["keys"]
    assert jwt.get_unverified_header(form["id_token"])["kid"] == jwk["kid"]
    assert browser.post(form).status_code == 200


def test_replayed_id_token_and_state_is_refused(browser, platform):
    """Posting lti1p3platform's launch form twice is refused the second time."""
    form = platform.answer(browser.login(), [LEARNER])
    assert browser.post(form).status_code == 200
    replay = browser.post(form)
    assert replay.status_code == 403
    assert failed_check(replay) == "replay"


def test_expired_id_token_is_refused(browser, platform):
    """An id_token lti1p3platform issued already expired is refused as expired."""
    response = browser.launch([LEARNER], expiration=-3600)
    assert response.status_code == 401
    assert failed_check(response) == "expired"


def test_wrong_state_is_refused(browser, platform):
    """A genuine id_token posted with a state the tool never issued is refused."""
    form = platform.answer(browser.login(), [LEARNER])
    assert failed_check(browser.post({**form, "state": "state-forged"})) == "state"


def test_wrong_nonce_is_refused(browser, platform):
    """lti1p3platform answering an auth request with another nonce is refused."""
    auth = browser.login()
    form = platform.answer({**auth, "nonce": "a-nonce-the-tool-never-issued"}, [LEARNER])
    assert failed_check(browser.post(form)) == "nonce"


def tampered(platform, id_token):
    header, _, signature = id_token.split(".")
    body = b64(json.dumps({**claims_of(id_token), "sub": "admin"}).encode())
    return f"{header}.{body}.{signature}"


def alg_none(platform, id_token):
    kid = jwt.get_unverified_header(id_token)["kid"]
    return jwt.encode(claims_of(id_token), None, algorithm="none", headers={"kid": kid})


def hs256_with_public_key(platform, id_token):
    header = {**jwt.get_unverified_header(id_token), "alg": "HS256"}
    signing_input = f"{b64(json.dumps(header).encode())}.{id_token.split('.')[1]}"
    signature = hmac.new(platform.public_pem.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


FORGERIES = {
    "tampered payload": (tampered, "signature"),
    "wrong aud": (lambda p, t: p.resign(t, {"aud": "another-tool", "azp": "another-tool"}), "registration"),
    "wrong iss": (lambda p, t: p.resign(t, {"iss": "https://evil.example"}), "registration"),
    "alg none": (alg_none, "algorithm"),
    "HS256 keyed with the public key": (hs256_with_public_key, "algorithm"),
    "unknown kid": (lambda p, t: p.resign(t, {}, headers={"kid": "nobody-publishes-this"}), "signature"),
    "unknown deployment": (lambda p, t: p.resign(t, {LTI + "deployment_id": "not-registered"}), "deployment"),
}


@pytest.mark.parametrize(("forge", "check"), FORGERIES.values(), ids=FORGERIES.keys())
def test_forgery_of_a_genuine_id_token_is_refused(browser, platform, forge, check):
    """lti1p3platform's genuine id_token, altered, is refused with the check it fails."""
    form = platform.answer(browser.login(), [LEARNER])
    response = browser.post({**form, "id_token": forge(platform, form["id_token"])})
    assert failed_check(response) == check


def test_deep_linking_round_trip_is_accepted_by_lti1p3platform(browser, client, platform):
    """A Deep Linking launch from lti1p3platform gets back a response it validates itself."""
    response = browser.post(platform.answer(browser.login(deep_linking=True), [INSTRUCTOR],
                                            deep_link_return_url=RETURN_URL))
    assert response.status_code == 200, response.get_data(as_text=True)
    data = launch_data(response)
    assert data["landing"] == "/lti/deep-link"
    answer = client.post("/api/deep-link", json={"title": "Interop exam"}, headers=bearer(data["token"]))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.json["return_url"] == RETURN_URL
    tool_jwks = client.get("/lti/jwks").json
    kid = jwt.get_unverified_header(answer.json["jwt"])["kid"]
    key = next(k for k in tool_jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(answer.json["jwt"], jwt.PyJWK(key).key, algorithms=["RS256"], audience=platform.issuer)
    assert claims["iss"] == CLIENT_ID
    assert claims[LTI + "deployment_id"] == DEPLOYMENT_ID
    assert claims[DL + "data"] == {"placement": "week-1"}
    platform.registration.set_tool_key_set(tool_jwks)
    [item] = platform.conf.validate_deeplinking_resp({"JWT": answer.json["jwt"]})
    assert item["type"] == "ltiResourceLink"
    assert item["title"] == "Interop exam"
    assert item["url"] == LAUNCH_URL
