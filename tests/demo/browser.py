"""A browser-like walk through an LTI launch, and the tool's outbound HTTP answered by the app itself."""

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

DEMO = "http://127.0.0.1"
# https, so the test client keeps the tool's Secure state cookie.
TOOL = "https://localhost"


class AppAdapter(requests.adapters.BaseAdapter):
    """Answers the tool's outbound requests (the demo's JWKS) from the app, as a live server would."""

    def __init__(self, app):
        super().__init__()
        self.client = app.test_client()

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        answer = self.client.open(
            parts.path, method=request.method, query_string=parts.query, data=request.body,
            headers=dict(request.headers), base_url=f"{parts.scheme}://{parts.netloc}",
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.get_data()
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


class Browser:
    """Walks a launch as the demo page's iframe does: tool login, demo auth, POST to the tool's launch."""

    def __init__(self, client):
        self.client = client

    def login(self, login_url):
        """GET the tool's login initiation URL; return the demo auth URL it sends the browser on to."""
        parts = urlsplit(login_url)
        response = self.client.get(parts.path, query_string=parts.query, base_url=TOOL)
        if response.status_code == 302:
            return response.headers["Location"]
        # With lti_storage_target the tool answers a page whose script stores the state, then goes on.
        assert response.status_code == 200, response.get_data(as_text=True)
        return json_block(response.get_data(as_text=True), "login-data")["redirect_url"]

    def authorize(self, auth_url):
        """GET the demo's auth endpoint."""
        parts = urlsplit(auth_url)
        assert f"{parts.scheme}://{parts.netloc}" == DEMO
        return self.client.get(parts.path, query_string=parts.query, base_url=DEMO)

    def launch(self, login_url):
        """The whole launch: the tool's answer to the id_token POST, and the form that was posted."""
        auth = self.authorize(self.login(login_url))
        assert auth.status_code == 200, auth.get_data(as_text=True)
        form = form_fields(auth.get_data(as_text=True))
        return self.client.post("/lti/launch", data=form, base_url=TOOL), form


def form_fields(html):
    """The hidden inputs of a page's form, by name."""
    return {name: unescape(value) for name, value in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)}


def json_block(html, element_id):
    """The data of a page's `<script type="application/json" id=...>` block."""
    match = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', html, re.S)
    assert match, f"no #{element_id} data block"
    return json.loads(match.group(1))


def login_params(login_url):
    """The query parameters of a login initiation URL, one value each."""
    return {k: v[0] for k, v in parse_qs(urlsplit(login_url).query).items()}


def launch_urls(html):
    """The hrefs of a demo page's launch buttons, in page order."""
    return [unescape(href) for href in
            re.findall(r'<a class="button[^"]*" href="([^"]+)" target="tool-frame"', html)]
