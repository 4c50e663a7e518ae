"""A dashboard hears presence gathered: the latest state per page, at most every PRESENCE_EVERY, so 2,000 pages
going offline at once do not overflow its queue (they closed it with 4008, one message each)."""

import json
import queue
import time

import pytest

from lti_tool import create_app
from lti_tool.db import utcnow
from lti_tool.proctor import dashboard_socket
from lti_tool.proctor.dashboard_socket import DashboardSocket
from lti_tool.realtime import channels

PAGES = 2000


@pytest.fixture
def plain_app(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app({"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}"})
    with app.app_context():
        yield app


class Transport:
    def __init__(self):
        self.written = queue.Queue()

    def send(self, text):
        self.written.put((time.monotonic(), json.loads(text)))

    def close(self, code, reason):
        pass

    def abort(self):
        pass


def test_two_thousand_pages_going_offline_at_once_reach_a_dashboard_as_one_message(plain_app):
    transport = Transport()
    connection = plain_app.extensions["hub"].connect(transport)
    session = DashboardSocket()
    session.connection, session.exam_id = connection, 3
    session.subscribe(channels.exam(3), session._from_bus)
    bus = plain_app.extensions["bus"]
    try:
        for state in ("online", "offline"):
            for attempt_id in range(1, PAGES + 1):
                bus.publish(channels.exam(3), {"type": "presence", "attempt_id": attempt_id, "state": state,
                                               "at": utcnow().isoformat()})
        assert connection.send({"type": "status", "attempt_id": 1}) is True  # other messages still go at once

        _, status = transport.written.get(timeout=5)
        sent_at, gathered = transport.written.get(timeout=5)
        assert status["type"] == "status"
        assert gathered["type"] == "presence" and not connection.closed
        assert len(gathered["pages"]) == PAGES
        assert {page["state"] for page in gathered["pages"]} == {"offline"}

        changed_at = time.monotonic()
        bus.publish(channels.exam(3), {"type": "presence", "attempt_id": 7, "state": "away",
                                       "at": utcnow().isoformat()})
        later_at, later = transport.written.get(timeout=5)
        assert [(page["attempt_id"], page["state"]) for page in later["pages"]] == [(7, "away")]
        assert later_at - changed_at >= dashboard_socket.PRESENCE_EVERY * 0.9
        assert later_at - sent_at >= dashboard_socket.PRESENCE_EVERY
    finally:
        session.close()
        connection.close()


def test_of_two_readings_of_a_page_the_later_wins_whatever_order_they_arrive_in(plain_app):
    transport = Transport()
    session = DashboardSocket()
    session.connection = plain_app.extensions["hub"].connect(transport)
    try:
        session._from_bus({"type": "presence", "attempt_id": 1, "state": "offline", "at": "2026-01-01T10:00:02+00:00"})
        session._from_bus({"type": "presence", "attempt_id": 1, "state": "online", "at": "2026-01-01T10:00:01+00:00"})
        _, gathered = transport.written.get(timeout=5)
        assert gathered["pages"] == [{"attempt_id": 1, "state": "offline", "at": "2026-01-01T10:00:02+00:00"}]
    finally:
        session.close()
        session.connection.close()
