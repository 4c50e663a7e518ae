"""The student socket's session when its socket closes while the database is unreachable."""

import pytest
from sqlalchemy import exc as sa_exc

from lti_tool import create_app
from lti_tool.proctor import page_writes, presence
from lti_tool.proctor.student_socket import StudentSocket
from lti_tool.realtime import channels


@pytest.fixture
def plain_app(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    app = create_app({"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}"})
    with app.app_context():
        yield app


def test_a_page_closing_while_the_database_is_down_still_stops_hearing_the_bus(plain_app, monkeypatch, caplog):
    def database_down(*args, **kwargs):
        raise sa_exc.OperationalError("INSERT INTO presences", {}, Exception("could not connect to server"))

    monkeypatch.setattr(presence, "record_all", database_down)
    session = StudentSocket()
    session.attempt_id, session.exam_id = 7, 3
    session.page = page_writes.Page(attempt_id=7, exam_id=3, course_id=1, user_id=1)
    session.subscribe(channels.attempt(7), session._from_bus)
    session.subscribe(channels.exam_students(3), session._from_bus)

    session.close()  # the page went offline, but that cannot be written now

    bus = plain_app.extensions["bus"]
    # Left subscribed, the session would live (and be resynced) forever.
    assert not {channels.attempt(7), channels.exam_students(3)} & set(bus._callbacks)
    assert session not in StudentSocket.live
    assert "could not record a closed page as offline" in caplog.text
