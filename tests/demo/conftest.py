"""Fixtures for the demo platform (on top of tests/conftest.py's app): the demo registered, a launching browser."""

import pytest

from lti_tool.db import db
from lti_tool.demo import registration
from lti_tool.demo.models import DemoLineItem
from lti_tool.launch import http

from .browser import AppAdapter, Browser


@pytest.fixture
def seeded(app):
    registration.ensure_registered(origin="test")


@pytest.fixture
def platform_http(app, monkeypatch):
    """Route the tool's HTTP calls to the demo platform through the app instead of the network (the
    outbound session itself stays, with its limits)."""
    outbound = http.session

    def session(*args):
        routed = outbound(*args)
        routed.mount("http://", AppAdapter(app))
        return routed

    monkeypatch.setattr(http, "session", session)


@pytest.fixture
def browser(client, seeded, platform_http):
    return Browser(client)


@pytest.fixture
def line_item(app):
    item = DemoLineItem(label="Midterm", score_maximum=100, resource_link_id="demo-link-1")
    db.session.add(item)
    db.session.commit()
    return item
