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

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, abort, jsonify, request
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = LIS + "membership#Learner"
INSTRUCTOR = LIS + "membership#Instructor"
TEACHING_ASSISTANT = LIS + "membership/Instructor#TeachingAssistant"
CLIENT_ID = "test-client"
DEPLOYMENT_ID = "test-deployment"


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SigningKey:
    def __init__(self, kid=None):
        self.kid = kid or uuid.uuid4().hex[:12]
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
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

    def __init__(self, key=None):
        self.key = key or SigningKey()
        self.published_keys = [self.key]
        self.jwks_requests = 0
        self.scores = []
        self.registrations = []
        self.registration_token = "reg-token-" + uuid.uuid4().hex
        self.tool_jwks = None  # set by tests that call AGS/NRPS: the tool's published keys
        self.members = []
        self.fail_jwks = False
        self._server = None
        self.base_url = None

    # --- serving -----------------------------------------------------------------------------
    def start(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi_app(), threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self):
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

    def _wsgi_app(self):
        app = Flask("test_platform")

        @app.get("/jwks")
        def jwks():
            self.jwks_requests += 1
            if self.fail_jwks:
                abort(503)
            return {"keys": [k.jwk() for k in self.published_keys]}

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
            assertion = request.form.get("client_assertion", "")
            try:
                header = jwt.get_unverified_header(assertion)
                key = next(k for k in self.tool_jwks["keys"] if k["kid"] == header["kid"])
                jwt.decode(assertion, jwt.PyJWK(key).key, algorithms=["RS256"], audience=self.token_url,
                           issuer=CLIENT_ID)
            except Exception:  # any failure is the client's fault here
                return {"error": "invalid_client"}, 400
            return {"access_token": "at-" + uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 3600,
                    "scope": request.form.get("scope", "")}

        @app.post("/lineitems/<int:item>/lineitem/scores")
        def scores(item):
            if not request.headers.get("Authorization", "").startswith("Bearer at-"):
                abort(401)
            self.scores.append({"line_item": item, **request.get_json(force=True)})
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
        if custom is not None:
            claims[LTI + "custom"] = custom
        if deep_linking is not None:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = deep_linking
        claims.update(extra)
        return claims

    def sign(self, claims, *, key=None, kid=None, alg="RS256"):
        key = key or self.key
        return jwt.encode(claims, key.private_pem, algorithm=alg, headers={"kid": kid or key.kid})

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

