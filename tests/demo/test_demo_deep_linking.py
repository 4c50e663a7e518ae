"""Deep linking end to end: Grace adds an exam in the tool, the demo course gets a link and a column."""

import time

import jwt
import pytest
from sqlalchemy import select

from lti_tool.db import db
from lti_tool.demo import hints
from lti_tool.demo.models import DemoLineItem, DemoResourceLink
from lti_tool.identity.models import ResourceLink
from lti_tool.launch import keys

from .browser import DEMO, TOOL, json_block, launch_urls, login_params

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def tool_response(**changes):
    """An LtiDeepLinkingResponse as the tool signs it, with one exam link and its line item."""
    now = int(time.time())
    claims = {
        "iss": "proctor-lti-demo", "aud": ["http://127.0.0.1/demo"], "iat": now, "exp": now + 600,
        "nonce": "nonce-x", LTI + "deployment_id": "demo-deployment",
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
        DL + "data": hints.deep_link_data("demo-user-grace-hopper"),
        DL + "content_items": [{
            "type": "ltiResourceLink", "title": "Midterm", "url": "https://localhost/lti/launch",
            "custom": {"exam_id": "7"},
            "lineItem": {"scoreMaximum": 100, "label": "Midterm", "resourceId": "exam-7"},
        }],
    }
    claims.update(changes)
    key = keys.current()
    return jwt.encode(claims, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})


def test_return_creates_a_link_and_its_line_item(client):
    response = client.post("/demo/deep-link-return", base_url=DEMO, data={"JWT": tool_response()})

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Midterm" in html
    assert 'target="_top"' in html
    link = db.session.scalar(select(DemoResourceLink))
    item = db.session.get(DemoLineItem, link.line_item_id)
    assert (link.title, link.url, link.custom) == ("Midterm", "https://localhost/lti/launch", {"exam_id": "7"})
    assert (item.label, item.score_maximum, item.resource_id, item.resource_link_id) == (
        "Midterm", 100.0, "exam-7", f"demo-link-{link.id}")


def test_the_new_link_launches_with_its_custom_exam_and_line_item(client):
    client.post("/demo/deep-link-return", base_url=DEMO, data={"JWT": tool_response()})
    link = db.session.scalar(select(DemoResourceLink))

    html = client.get("/demo", base_url=DEMO).get_data(as_text=True)
    urls = launch_urls(html)

    assert "exam_id=7" in html
    assert len(urls) == 7
    assert login_params(urls[3])["lti_message_hint"] == f"link:demo-link-{link.id}"


def tampered(token):
    """The token with one character of its signature changed."""
    head, body, signature = token.split(".")
    return ".".join((head, body, ("A" if signature[5] != "A" else "B").join((signature[:5], signature[6:]))))


@pytest.mark.parametrize(("token", "check"), [
    (lambda: tampered(tool_response()), "signature"),
    (lambda: tool_response(iss="someone-else"), "iss"),
    (lambda: tool_response(aud="http://127.0.0.1/other"), "aud"),
    (lambda: tool_response(**{LTI + "message_type": "LtiResourceLinkRequest"}), "message_type"),
    (lambda: tool_response(**{LTI + "deployment_id": "other"}), "deployment_id"),
    (lambda: tool_response(**{DL + "data": "not-signed-by-the-demo"}), "data"),
    (lambda: tool_response(**{DL + "content_items": [{"type": "link", "url": "http://x"}]}), "content_items"),
    (lambda: "", "JWT"),
])
def test_return_refuses_a_response_that_fails_a_check(client, token, check):
    response = client.post("/demo/deep-link-return", base_url=DEMO, data={"JWT": token()})

    assert response.status_code == 400
    assert f"Check failed: {check}." in response.get_data(as_text=True)
    assert db.session.scalar(select(DemoResourceLink)) is None


def test_grace_adds_an_exam_through_the_tool(browser):
    """The whole loop: deep linking launch, the tool's picker API, then the demo's return URL."""
    urls = launch_urls(browser.client.get("/demo", base_url=DEMO).get_data(as_text=True))
    response, _ = browser.launch(urls[3])
    token = json_block(response.get_data(as_text=True), "launch-data")["token"]

    answer = browser.client.post("/api/deep-link", base_url=TOOL, json={"title": "Final exam"},
                                 headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["return_url"] == "http://127.0.0.1/demo/deep-link-return"

    added = browser.client.post("/demo/deep-link-return", base_url=DEMO, data={"JWT": body["jwt"]})

    assert added.status_code == 200, added.get_data(as_text=True)
    link = db.session.scalar(select(DemoResourceLink))
    assert link.title == "Final exam"
    assert link.custom == {"exam_id": str(body["exam"]["id"])}
    assert db.session.get(DemoLineItem, link.line_item_id).score_maximum == 100.0

    student_launch = launch_urls(browser.client.get("/demo", base_url=DEMO).get_data(as_text=True))[3]
    response, _ = browser.launch(student_launch)

    assert response.status_code == 200, response.get_data(as_text=True)
    tool_link = db.session.scalar(select(ResourceLink).filter_by(lti_id=f"demo-link-{link.id}"))
    assert tool_link.exam_id == body["exam"]["id"]
    assert tool_link.lineitem_url == f"http://127.0.0.1/demo/ags/lineitems/{link.line_item_id}"
