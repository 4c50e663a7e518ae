"""One person's browser at the tool, for the exam-day scenario: an LTI 1.3 launch from the test platform
(the OIDC login at the tool, the platform's signed id_token for the state and nonce the tool asked for,
the launch POST with the state cookie) and then the tool's JSON API with the launch token, all over one
keep-alive connection, as a browser would. The platform's side is tests/lti_platform.py, signing with the
key whose public half it serves; no shortcut into the tool's database or token code.

It works in a plain process and in a gevent one (the client process patches the standard library first)."""

import http.client
import json
import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.lti_platform import CLIENT_ID, DEPLOYMENT_ID, LTI

REQUEST_TIMEOUT = 30.0
LAUNCH_DATA = re.compile(r'<script type="application/json" id="launch-data">(.*?)</script>', re.S)
STALE = (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected)


class LaunchFailed(Exception):
    def __init__(self, step, status, detail=""):
        super().__init__(f"{step}: {status} {detail}".strip())
        self.step = step
        self.status = status


class Browser:
    def __init__(self, host, port, platform):
        """`platform`: a tests.lti_platform.TestPlatform that signs as the platform the tool knows."""
        self.host, self.port = host, port
        self.base = f"http://{host}:{port}"
        self.platform = platform
        self.token = None
        self._conn = None
        self.timings = {}  # step -> seconds, of the last launch

    def launch(self, *, sub, roles, link_id, context_id, name=None):
        """The whole launch; afterwards `token` is the launch token the tool's enter page carries."""
        started = time.time()
        query = {"iss": self.platform.issuer, "login_hint": sub, "client_id": CLIENT_ID,
                 "target_link_uri": f"{self.base}/lti/launch", "lti_deployment_id": DEPLOYMENT_ID}
        status, headers, _ = self._send("GET", "/lti/login?" + urlencode(query))
        if status != 302:
            raise LaunchFailed("login", status)
        auth = {k: v[0] for k, v in parse_qs(urlsplit(headers["Location"]).query).items()}
        # Only each cookie's name=value: http.cookies does not know the Partitioned attribute and drops
        # such a cookie whole. A browser sends them back on this http origin as localhost-like loopback.
        cookies = "; ".join(header.split(";", 1)[0] for header in headers.get_all("Set-Cookie") or ())
        self.timings["login"] = time.time() - started
        claims = self.platform.claims(nonce=auth["nonce"], roles=list(roles), sub=sub, context_id=context_id,
                                      resource_link_id=link_id, **{LTI + "target_link_uri": f"{self.base}/lti/launch"})
        if name:
            claims["name"] = name
        form = urlencode({"id_token": self.platform.sign(claims), "state": auth["state"]})
        posted = time.time()
        status, _, body = self._send("POST", "/lti/launch", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies})
        match = LAUNCH_DATA.search(body.decode(errors="replace"))
        if status != 200 or not match:
            raise LaunchFailed("launch", status, body[:200].decode(errors="replace"))
        self.token = json.loads(match.group(1))["token"]
        self.timings["launch"] = time.time() - posted
        self.timings["total"] = time.time() - started
        return self.token

    def api(self, method, path, body=None):
        """(status, parsed JSON or None) of one call with the launch token."""
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            payload = json.dumps(body)
        status, _, raw = self._send(method, path, payload, headers)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _send(self, method, path, body=None, headers=None):
        """One request; a kept-alive connection the server has closed meanwhile is reopened once."""
        for attempt in (1, 2):
            reused = self._conn is not None
            if not reused:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
            try:
                self._conn.request(method, path, body=body, headers=headers or {})
                response = self._conn.getresponse()
                raw = response.read()
                if (response.getheader("Connection") or "").lower() == "close":
                    self.close()
                return response.status, response.msg, raw
            except STALE:
                self.close()
                if not reused or attempt == 2:
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")
