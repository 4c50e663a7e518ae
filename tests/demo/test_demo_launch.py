"""Whole launches from the demo page through the tool's real /lti/login and /lti/launch."""

import pytest
from sqlalchemy import select

from lti_tool.db import db
from lti_tool.identity.models import User

from .browser import DEMO, TOOL, json_block, launch_urls


@pytest.fixture
def page_urls(client, seeded):
    return launch_urls(client.get("/demo", base_url=DEMO).get_data(as_text=True))


@pytest.mark.parametrize(("button", "sub", "name", "landing"), [
    (0, "demo-user-ada-lovelace", "Ada Lovelace", "/exam/lobby"),
    (1, "demo-user-grace-hopper", "Grace Hopper", "/exam/manage"),
    (2, "demo-user-alan-turing", "Alan Turing", "/proctor/"),
])
def test_each_role_launches_into_the_tool(browser, page_urls, button, sub, name, landing):
    response, _ = browser.launch(page_urls[button])

    assert response.status_code == 200, response.get_data(as_text=True)
    data = json_block(response.get_data(as_text=True), "launch-data")
    assert data["landing"] == landing
    assert data["token"]
    user = db.session.scalar(select(User).filter_by(sub=sub))
    assert (user.name, user.email) == (name, f"{name.replace(' ', '.').lower()}@demo.example")


def test_deep_linking_launches_grace_into_the_picker(browser, page_urls):
    response, _ = browser.launch(page_urls[3])

    assert response.status_code == 200, response.get_data(as_text=True)
    assert json_block(response.get_data(as_text=True), "launch-data")["landing"] == "/lti/deep-link"


def test_an_id_token_cannot_be_replayed(browser, page_urls):
    response, form = browser.launch(page_urls[0])
    assert response.status_code == 200

    again = browser.client.post("/lti/launch", data=form, base_url=TOOL)

    assert again.status_code == 403
