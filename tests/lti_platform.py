"""An LTI 1.3 platform played by the tests: its own RSA key, signed id_tokens, and JWKS, token,
AGS, NRPS and dynamic-registration endpoints served over real HTTP on loopback.

It shares no code with the tool, so a bug in the tool cannot hide itself in its own test double.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from datetime import datetime

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, abort, jsonify, redirect, request
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
TEACHING_ASSISTANT = LIS + "membership/Instructor#TeachingAssistant"
# What Moodle 4.3 sends at launch for each of its course roles (mod/lti:manage makes a non-editing teacher an
# Instructor), and how its roster lists them.
MOODLE_ROLES = {"editingteacher": (INSTRUCTOR,), "teacher": (INSTRUCTOR,), "student": (LEARNER,)}
MOODLE_ROSTER_ROLES = {"editingteacher": "Instructor", "teacher": "Learner", "student": "Learner"}
CLIENT_ID = "test-client"
DEPLOYMENT_ID = "test-deployment"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
# The longest a "timeout" or "hold" injection keeps a request waiting for `release`: bounded, always.
MAX_HOLD_SECONDS = 10.0


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, kid=None, private_pem=None):
        """A new RSA key, or the one `private_pem` holds (another process signing as this platform)."""
        self.kid = kid or uuid.uuid4().hex[:12]
        self.private = (serialization.load_pem_private_key(private_pem, password=None) if private_pem
                        else rsa.generate_private_key(public_exponent=65537, key_size=2048))
        self.private_pem = self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.public_pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def jwk(self):
        public = json.loads(JWK.from_pem(self.public_pem).export_public())
        return {**public, "kid": self.kid, "alg": "RS256", "use": "sig"}


class TestPlatform:
    """A platform at http://127.0.0.1:<port>. Start it with start(); tests read what it received."""

    __test__ = False  # not a test class

    def __init__(self, key=None, base_url=None):
        """`base_url`: sign as the platform another process serves there, without serving it here."""
        self.key = key or SigningKey()
        self.published_keys = [self.key]
        self.jwks_requests = 0
        self.scores = []
        self.registrations = []
        self.registration_token = "reg-token-" + uuid.uuid4().hex
        self.tool_jwks = None  # set by tests that call AGS/NRPS: the tool's published keys
        self.members = []
        self.fail_jwks = False
        # AGS: tokens issued by /token (token -> scopes), line items by number, the newest score time
        # (whole seconds) per (line item, userId), as Moodle keeps it.
        self.token_requests = 0
        self.token_expires_in = 3600
        self.tokens = {}
        self.line_items = {}
        self.score_times = {}
        self.requests = []  # (method, path with query) of every request, in order
        # Failure injection, consumed one per request: an HTTP status, (status, body), "timeout" (answer
        # 503 only after `release` is set, or MAX_HOLD_SECONDS: longer than the client waits) or "hold"
        # (wait for `release`, then answer normally). `holding` is set when a request starts waiting.
        self.fail_token = []
        self.fail_scores = []
        self.fail_lineitems = []
        self.release = threading.Event()
        self.holding = threading.Event()
        self._lock = threading.Lock()
        self._server = None
        self.base_url = base_url
        # Moodle 4.3's shape (set_moodle_shape): its extension and platform claims, names withheld or not.
        self.moodle = False
        self.shares_names = True
        # The custom parameters of the tool's registration, sent with every launch, and each link's own (what Deep
        # Linking gave it: exam_id), by (context id, resource link id).
        self.tool_custom = {}
        self.links = {}
        # Each course's earlier context ids, most recent first, for $Context.id.history as Canvas fills it; None:
        # the platform sends the variable as it is (Moodle 4.3).
        self.context_histories = None

    # --- serving -----------------------------------------------------------------------------
    def start(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi_app(), threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        if 1 not in self.line_items:  # the line item the default launch claims name
            self.add_line_item(label="Link link-1", resourceLinkId="link-1")
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
        self.release.set()  # no handler keeps waiting for a test that is over
        self._server.shutdown()

    @property
    def issuer(self):
        return self.base_url

    @property
    def auth_url(self):
        return f"{self.base_url}/auth"

    @property
    def token_url(self):
        return f"{self.base_url}/token"

    @property
    def jwks_url(self):
        return f"{self.base_url}/jwks"

    @property
    def lineitems_url(self):
        return f"{self.base_url}/lineitems"

    def lineitem_url(self, number):
        return f"{self.base_url}/lineitems/{number}/lineitem"

    def add_line_item(self, **fields):
        """A line item the platform holds (as if made by an instructor or Deep Linking); returns it."""
        with self._lock:
            number = max(self.line_items, default=0) + 1
            item = {"id": self.lineitem_url(number), "scoreMaximum": 100, "label": f"Item {number}", **fields}
            self.line_items[number] = item
        return item

    def revoke_tokens(self):
        """Forget every access token issued, as a platform does when they expire early."""
        with self._lock:
            self.tokens.clear()

    def _inject(self, failures):
        """The response for the next injected failure, or None to answer normally."""
        with self._lock:
            failure = failures.pop(0) if failures else None
        if failure is None:
            return None
        if failure in ("timeout", "hold"):
            self.holding.set()
            self.release.wait(MAX_HOLD_SECONDS)
            return ({"error": "injected timeout"}, 503) if failure == "timeout" else None
        status, body = failure if isinstance(failure, tuple) else (failure, f"injected failure {failure}")
        return body, status

    def _bearer_scopes(self):
        """The scopes of the request's access token; aborts 401 when it is not one /token issued."""
        header = request.headers.get("Authorization", "")
        scopes = self.tokens.get(header[len("Bearer "):]) if header.startswith("Bearer ") else None
        if scopes is None:
            abort(401)
        return scopes

    def _require_scope(self, *any_of):
        if not set(any_of) & self._bearer_scopes():
            return {"error": "insufficient_scope", "needs": list(any_of)}, 403
        return None

    def _wsgi_app(self):
        app = Flask("test_platform")

        @app.before_request
        def log_request():
            self.requests.append((request.method, request.full_path.rstrip("?")))

        @app.get("/jwks")
        def jwks():
            self.jwks_requests += 1
            if self.fail_jwks:
                abort(503)
            return {"keys": [k.jwk() for k in self.published_keys]}

        @app.get("/redirect")
        def open_redirect():
            # Like many pages of a real LMS: a redirect to wherever `to` says.
            return redirect(request.args["to"])

        @app.get("/.well-known/openid-configuration")
        def openid_configuration():
            if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
                abort(401)
            return self.openid_configuration()

        @app.post("/register")
        def register():
            if request.headers.get("Authorization") != f"Bearer {self.registration_token}":
                abort(401)
            body = request.get_json()
            self.registrations.append(body)
            return {
                **body,
                "client_id": CLIENT_ID,
                "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                    **body["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                    "deployment_id": DEPLOYMENT_ID,
                },
            }

        @app.post("/token")
        def token():
            self.token_requests += 1
            injected = self._inject(self.fail_token)
            if injected is not None:
                return injected
            assertion = request.form.get("client_assertion", "")
            try:
                header = jwt.get_unverified_header(assertion)
                key = next(k for k in self.tool_jwks["keys"] if k["kid"] == header["kid"])
                jwt.decode(assertion, jwt.PyJWK(key).key, algorithms=["RS256"], audience=self.token_url,
                           issuer=CLIENT_ID)
            except Exception:  # any failure is the client's fault here
                return {"error": "invalid_client"}, 400
            access_token = "at-" + uuid.uuid4().hex
            scope = request.form.get("scope", "")
            with self._lock:
                self.tokens[access_token] = set(scope.split())
            return {"access_token": access_token, "token_type": "Bearer", "expires_in": self.token_expires_in,
                    "scope": scope}

        @app.get("/lineitems")
        def lineitems():
            injected = self._inject(self.fail_lineitems)
            if injected is not None:
                return injected
            refused = self._require_scope(AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly")
            if refused:
                return refused
            filters = {"resource_link_id": "resourceLinkId", "resource_id": "resourceId", "tag": "tag"}
            items = [item for item in self.line_items.values()
                     if all(str(item.get(field)) == request.args[arg]
                            for arg, field in filters.items() if arg in request.args)]
            response = jsonify(items)
            response.mimetype = LINEITEMS_MEDIA_TYPE
            return response

        @app.post("/lineitems")
        def create_lineitem():
            injected = self._inject(self.fail_lineitems)
            if injected is not None:
                return injected
            refused = self._require_scope(AGS_SCOPE + "lineitem")
            if refused:
                return refused
            if request.mimetype != LINEITEM_MEDIA_TYPE:
                return {"error": f"expected {LINEITEM_MEDIA_TYPE}, got {request.mimetype}"}, 415
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict) or not body.get("label") or not _positive_number(body.get("scoreMaximum")):
                return {"error": "a line item needs a label and a scoreMaximum > 0"}, 400
            body.pop("id", None)
            item = self.add_line_item(**body)
            response = jsonify(item)
            response.mimetype = LINEITEM_MEDIA_TYPE
            return response, 201

        @app.get("/lineitems/<int:item>/lineitem")
        def lineitem(item):
            refused = self._require_scope(AGS_SCOPE + "lineitem", AGS_SCOPE + "lineitem.readonly")
            if refused:
                return refused
            if item not in self.line_items:
                abort(404)
            response = jsonify(self.line_items[item])
            response.mimetype = LINEITEM_MEDIA_TYPE
            return response

        @app.post("/lineitems/<int:item>/lineitem/scores")
        def scores(item):
            injected = self._inject(self.fail_scores)
            if injected is not None:
                return injected
            refused = self._require_scope(AGS_SCOPE + "score")
            if refused:
                return refused
            if item not in self.line_items:
                return {"error": f"no line item {item}"}, 404
            if request.mimetype != SCORE_MEDIA_TYPE:
                return {"error": f"expected {SCORE_MEDIA_TYPE}, got {request.mimetype}"}, 415
            score = request.get_json(force=True, silent=True)
            problem = _score_problem(score)
            if problem:
                return {"error": problem}, 400
            seconds = int(datetime.fromisoformat(score["timestamp"]).timestamp())
            with self._lock:
                key = (item, score["userId"])
                if key in self.score_times and seconds <= self.score_times[key]:
                    # Moodle's words (mod/lti/service/gradebookservices), to the second.
                    return {"error": f"Refusing score with an earlier timestamp for item {item} "
                                     f"and user {score['userId']}"}, 400
                self.score_times[key] = seconds
                self.scores.append({"line_item": item, **score})
            return "", 204

        @app.get("/memberships")
        def memberships():
            if not request.headers.get("Authorization", "").startswith("Bearer at-"):
                abort(401)
            return jsonify({"id": request.url, "members": self.members})

        return app

    def openid_configuration(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.auth_url,
            "token_endpoint": self.token_url,
            "jwks_uri": self.jwks_url,
            "registration_endpoint": f"{self.base_url}/register",
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "test-platform",
                "version": "1.0",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }

    def ags_claim(self, *, lineitem=1, lineitems=False, scopes=("score",)):
        """An AGS endpoint claim: line item `lineitem` (a number, a URL or None) and, if asked, the container."""
        claim = {"scope": [AGS_SCOPE + s for s in scopes]}
        if lineitem is not None:
            claim["lineitem"] = lineitem if isinstance(lineitem, str) else self.lineitem_url(lineitem)
        if lineitems:
            claim["lineitems"] = self.lineitems_url
        return claim

    # --- Moodle 4.3 ------------------------------------------------------------------------------
    def set_moodle_shape(self, *, shares_names=True):
        """Launch as Moodle 4.3 does (observed): `ext.user_username`, `tool_platform.product_family_code =
        moodle`, the roster URL also as a custom parameter; name and email only when its privacy settings share
        them. Roles are what Moodle sends: Instructor for editing and non-editing teachers alike (MOODLE_ROLES)."""
        self.moodle = True
        self.shares_names = shares_names

    def set_moodle_roster(self, people):
        """The course roster as Moodle's NRPS lists it: short role names, and a non-editing teacher listed as
        Learner although its launches say Instructor. `people`: (sub, Moodle role) pairs."""
        self.members = [
            {"user_id": sub, "roles": [MOODLE_ROSTER_ROLES[role]], "status": "Active",
             **({"name": f"Name of {sub}", "email": f"{sub}@example.edu"} if self.shares_names else {})}
            for sub, role in people
        ]

    # --- courses -------------------------------------------------------------------------------
    def place_link(self, context_id, resource_link_id, custom):
        """A link in a course with the custom parameters Deep Linking gave it."""
        self.links[(context_id, resource_link_id)] = dict(custom)

    def copy_course(self, source, target):
        """Copy course `source` into `target` as an LMS does for a new term: each link again under a new resource
        link id, its custom parameters (exam_id) kept, as Moodle 4.3's backup and restore does (observed); a
        platform that keeps context histories (Canvas's course copy) puts `source` first in `target`'s.
        Returns {old resource link id: new one}."""
        renamed = {link_id: f"{link_id}-{target}" for context_id, link_id in self.links if context_id == source}
        for link_id, new_id in renamed.items():
            self.links[(target, new_id)] = dict(self.links[(source, link_id)])
        if self.context_histories is not None:
            self.context_histories[target] = [source, *self.context_histories.get(source, ())]
        return renamed

    def _custom(self, context_id, resource_link_id, custom):
        """The custom claim: the tool's registered parameters (the variables this platform fills filled in), the
        link's own, and the test's; None when there are none."""
        merged = {name: self._substitute(value, context_id) for name, value in self.tool_custom.items()}
        merged.update(self.links.get((context_id, resource_link_id), {}))
        merged.update(custom or {})
        return merged or custom

    def _substitute(self, value, context_id):
        if value == "$Context.id.history" and self.context_histories is not None:
            return ",".join(self.context_histories.get(context_id, ()))
        return value

    # --- messages ----------------------------------------------------------------------------
    def claims(self, *, nonce, roles, sub="user-1", context_id="course-1", resource_link_id="link-1",
               message_type="LtiResourceLinkRequest", custom=None, deep_linking=None, **extra):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": f"Name of {sub}",
            "email": f"{sub}@example.edu",
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": "http://localhost/lti/launch",
            LTI + "roles": roles,
            LTI + "context": {"id": context_id, "title": f"Course {context_id}", "label": context_id.upper()},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitem": f"{self.base_url}/lineitems/1/lineitem",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.base_url}/memberships", "service_versions": ["2.0"],
            },
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": resource_link_id, "title": f"Link {resource_link_id}"}
        custom = self._custom(context_id, claims.get(LTI + "resource_link", {}).get("id"), custom)
        if self.moodle:
            memberships_url = f"{self.base_url}/memberships"
            custom = {"context_memberships_url": memberships_url, **(custom or {})}
            claims[LTI + "ext"] = {"user_username": f"login-{sub}", "lms": "moodle-2"}
            claims[LTI + "tool_platform"] = {"product_family_code": "moodle", "version": "2023100900"}
            if not self.shares_names:
                del claims["name"], claims["email"]
        if custom is not None:
            claims[LTI + "custom"] = custom
        if deep_linking is not None:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = deep_linking
        claims.update(extra)
        return claims

    def sign(self, claims, *, key=None, kid=None, alg="RS256"):
        key = key or self.key
        # The loaded key, not its PEM: PyJWT would parse (and check) the PEM again, ~20 ms a signature.
        return jwt.encode(claims, key.private, algorithm=alg, headers={"kid": kid or key.kid})

    def sign_none(self, claims):
        """An unsigned token (alg: none), as an attacker would send it."""
        header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": self.key.kid}).encode())
        return f"{header}.{_b64(json.dumps(claims).encode())}."

    def sign_hs256_with_public_key(self, claims):
        """The classic algorithm-confusion forgery: HMAC keyed with the platform's public key."""
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.key.kid}).encode())
        body = _b64(json.dumps(claims).encode())
        signature = hmac.new(self.key.public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{_b64(signature)}"

    def rotate(self):
        """Sign with a new key, publishing both (what a platform does when it rotates)."""
        self.key = SigningKey()
        self.published_keys.append(self.key)
        return self.key



def _positive_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _score_problem(score):
    """Why a score body is not one the AGS spec (and this platform) accepts, or None."""
    if not isinstance(score, dict):
        return "the score is not a JSON object"
    for field in ("userId", "activityProgress", "gradingProgress", "timestamp"):
        if not isinstance(score.get(field), str) or not score[field]:
            return f"{field} is required"
    if score["activityProgress"] not in ("Initialized", "Started", "InProgress", "Submitted", "Completed"):
        return "activityProgress is not one the spec names"
    if score["gradingProgress"] not in ("FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"):
        return "gradingProgress is not one the spec names"
    if "scoreGiven" in score:
        given = score["scoreGiven"]
        if not isinstance(given, int | float) or isinstance(given, bool) or given < 0:
            return "scoreGiven must be a number >= 0"
        if not _positive_number(score.get("scoreMaximum")):
            return "scoreMaximum must be a number > 0 when scoreGiven is sent"
    try:
        stamp = datetime.fromisoformat(score["timestamp"])
    except ValueError:
        return "timestamp is not ISO 8601"
    if stamp.tzinfo is None:
        return "timestamp has no timezone"
    return None
