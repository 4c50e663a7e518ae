"""Proctoring over real websockets: the test's app served by a threaded Werkzeug server on loopback,
and clients that play the student's exam page and the proctor's dashboard."""

import json
import threading
from contextlib import contextmanager

import pytest
from simple_websocket import Client, ConnectionClosed
from werkzeug.serving import make_server

from lti_tool.db import db
from lti_tool.exam.models import Attempt
from tests.e2e.proctor_client import one_per_page
from tests.exam.conftest import Course, course  # noqa: F401 (course is a fixture the proctor tests use too)
from tests.exam.test_attempts import start
from tests.servers import gunicorn

WAIT = 5
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


@pytest.fixture
def server(app):
    """The app on a loopback port, one thread per connection, as long as the test runs."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"ws://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(WAIT)


class Page:
    """One socket as a page uses it: send messages, wait for the next one of a type (keeping the rest)."""

    def __init__(self, url):
        self.ws = Client.connect(url)
        self.seen = []

    def send(self, **message):
        self.ws.send(json.dumps(message))

    def next(self, kind, timeout=WAIT, **match):
        """The first message of type `kind` (and fields `match`) already seen or arriving within `timeout`."""
        for message in self.seen:
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                self.seen.remove(message)
                return message
        while True:
            raw = self.ws.receive(timeout=timeout)
            if raw is None:
                raise AssertionError(f"no {kind} {match or ''} within {timeout}s; got {self.seen}")
            self.seen.extend(one_per_page(json.loads(raw)))
            for message in self.seen:
                if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                    self.seen.remove(message)
                    return message

    def closed_with(self, timeout=WAIT):
        """The close code the server sent, waiting for it within `timeout`."""
        try:
            while self.ws.receive(timeout=timeout) is not None:
                pass
        except ConnectionClosed as closed:
            return closed.reason
        raise AssertionError(f"the socket was not closed within {timeout}s")

    def close(self):
        if self.ws.connected:
            self.ws.close()


class Room:
    """A course with an exam, its test maker, students who started and a proctor listed for the exam."""

    def __init__(self, client, lti, server):
        self.course = Course(client, lti)
        self.lti = lti
        self.server = server
        self.exam = self.course.exam(questions=2)
        self.pages = []

    def student(self, sub="student-1", start_attempt=True):
        token = self.course.student(sub)
        attempt = start(self.course, self.exam, token) if start_attempt else None
        return token, attempt

    def proctor_token(self, email="ta@example.edu", listed=True):
        token = self.lti.token_for((TA,), sub=f"ta-{email}", email=email)["token"]
        if listed:
            listing = self.course.call("PUT", f"/api/exams/{self.exam['id']}/proctors", json={"emails": [email]})
            assert listing.status_code == 200, listing.json
        return token

    def page(self, path):
        page = Page(self.server + path)
        self.pages.append(page)
        return page

    def student_page(self, token, attempt):
        page = self.page("/ws/student")
        page.send(type="hello", token=token, attempt_id=attempt["id"])
        page.next("hello")
        return page

    def dashboard(self, token=None):
        page = self.page("/ws/proctor")
        page.send(type="hello", token=token or self.course.maker, exam_id=self.exam["id"])
        return page

    def attempt_row(self, attempt):
        db.session.expire_all()
        return db.session.get(Attempt, attempt["id"])


@pytest.fixture
def room(client, lti, server):
    room = Room(client, lti, server)
    yield room
    for page in room.pages:
        page.close()


@contextmanager
def two_hosts(app, database_url, bus_env, tmp_path):
    """Two gunicorn servers of the tool on one database, fanning events out through the Redis `bus_env` names
    (REDIS_URL, and REDIS_CLUSTER for a cluster): their ports."""
    env = {"APP_ENV": "test", "DATABASE_URL": database_url, "TOOL_BASE_URL": app.config["TOOL_BASE_URL"], **bus_env}
    with (gunicorn("wsgi:app", env, tmp_path / "a.log") as host_a,
          gunicorn("wsgi:app", env, tmp_path / "b.log") as host_b):
        yield host_a, host_b
