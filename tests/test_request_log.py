"""Request ids and the JSON log lines: one per request, with the route and who asked, never what identifies
them otherwise; errors named by their request id."""

import io
import json
import logging
import shutil
import threading
import urllib.request

import pytest
from cryptography.fernet import Fernet
from flask import Flask

from lti_tool import request_log
from lti_tool.config import ConfigError, load
from lti_tool.identity import access
from tests.lti_platform import INSTRUCTOR
from tests.servers import WAIT, gunicorn


class LogLines:
    """The lines the app writes through a JsonFormatter while the test runs, as the production handler would;
    `wait(kind)` waits for the line of that kind (written by another thread: a socket's handler)."""

    def __init__(self):
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(request_log.JsonFormatter())
        self.handler.emit = self._emitting(self.handler.emit)
        self._arrived = threading.Condition()

    def _emitting(self, emit):
        def wrapped(record):
            emit(record)
            with self._arrived:
                self._arrived.notify_all()
        return wrapped

    @property
    def text(self):
        return self.stream.getvalue()

    def all(self):
        return [json.loads(line) for line in self.text.splitlines()]

    def of_kind(self, kind):
        return [line for line in self.all() if line.get("kind") == kind]

    def wait(self, kind, timeout=5):
        with self._arrived:
            assert self._arrived.wait_for(lambda: self.of_kind(kind), timeout), f"no {kind} line in {self.text}"
        return self.of_kind(kind)


@pytest.fixture
def log_lines(app):
    """LOG_FORMAT=json for this app, its lines captured."""
    app.config["LOG_FORMAT"] = "json"
    lines = LogLines()
    logger = logging.getLogger("lti_tool")
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(lines.handler)
    yield lines
    logger.removeHandler(lines.handler)
    logger.setLevel(level)


def test_a_request_writes_one_json_line_with_its_route_status_duration_and_id(client, log_lines):
    response = client.get("/healthz")
    [line] = log_lines.of_kind("http")
    assert line["method"] == "GET" and line["route"] == "/healthz" and line["status"] == 200
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["level"] == "INFO" and line["logger"] == "lti_tool.requests"
    assert "user_id" not in line


def test_a_launched_request_names_user_and_course_by_id_and_nothing_else(client, lti, log_lines):
    launched = lti.token_for((INSTRUCTOR,), sub="ada-lovelace", context_id="course-9")
    token = launched["token"]
    context = access.verify_token(token)

    response = client.get("/api/exams/424242?token=query-secret", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 404
    [line] = [line for line in log_lines.of_kind("http") if line["route"] == "/api/exams/<int:exam_id>"]
    assert (line["user_id"], line["course_id"], line["status"]) == (context.user_id, context.course_id, 404)
    [launch] = [line for line in log_lines.of_kind("http") if line["route"] == "/lti/launch"]
    assert (launch["user_id"], launch["course_id"], launch["status"]) == (context.user_id, context.course_id, 200)
    # Nor in any other line of the launch and the request: the launch's own POST (id_token) included.
    for leak in (token, "query-secret", "424242", "ada-lovelace", "Name of ada-lovelace", "@example.edu"):
        assert leak not in log_lines.text


def test_the_proxy_request_id_is_kept_when_sane_and_replaced_when_not(client, log_lines):
    sane = "5f2b9c0e8d1a4b7c9e3f2a1b0c9d8e7f"
    assert client.get("/healthz", headers={"X-Request-Id": sane}).headers["X-Request-Id"] == sane
    for junk in ("a b", "x" * 101, "<script>", "-leading-dash", ""):
        given = client.get("/healthz", headers={"X-Request-Id": junk}).headers["X-Request-Id"]
        assert given != junk and request_log.SANE_ID.fullmatch(given)
    ids = [line["request_id"] for line in log_lines.of_kind("http")]
    assert ids[0] == sane and len(set(ids)) == len(ids)


@pytest.fixture
def failing_route(app):
    def boom(item_id):
        raise RuntimeError("the unexpected")

    app.add_url_rule("/boom/<int:item_id>", "boom", boom)


def test_a_500_logs_its_request_id_and_the_body_gives_it_as_the_reference(app, client, failing_route, log_lines):
    response = client.get("/boom/7", headers={"Accept": "application/json", "X-Request-Id": "req-500-a"})

    assert response.status_code == 500
    assert response.json["error"]["reference"] == "req-500-a" == response.headers["X-Request-Id"]
    [error] = [line for line in log_lines.all() if line["level"] == "ERROR"]
    assert error["request_id"] == "req-500-a"
    assert "RuntimeError: the unexpected" in error["exception"]
    assert error["message"] == "unexpected error on GET /boom/<int:item_id> (request req-500-a)"
    [line] = log_lines.of_kind("http")
    assert (line["status"], line["request_id"]) == (500, "req-500-a")


def test_text_mode_writes_no_request_lines_and_still_names_the_request_of_an_error(client, failing_route, caplog):
    caplog.set_level(logging.INFO, logger="lti_tool")
    response = client.get("/boom/7", headers={"X-Request-Id": "req-500-b"})
    assert response.status_code == 500 and response.headers["X-Request-Id"] == "req-500-b"
    assert "(request req-500-b)" in caplog.text
    assert "<code>req-500-b</code>" in response.get_data(as_text=True)  # the page names it too
    assert [r for r in caplog.records if r.name == "lti_tool.requests"] == []


@pytest.fixture
def bare(tmp_path):
    """A Flask app for config.load alone."""
    return Flask(__name__, instance_path=str(tmp_path))


def test_log_format_is_text_or_json(bare):
    with pytest.raises(ConfigError, match="LOG_FORMAT must be one of text, json"):
        load(bare, {"APP_ENV": "test", "LOG_FORMAT": "xml"})


def test_log_format_is_text_in_development_and_test_and_json_in_production(bare, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("KEY_ENCRYPTION_KEYS", Fernet.generate_key().decode())
    for env_name, expected in (("development", "text"), ("test", "text"), ("production", "json")):
        load(bare, {"APP_ENV": env_name, "TOOL_BASE_URL": "https://tool.example.edu", "DEMO_ENABLED": False})
        assert bare.config["LOG_FORMAT"] == expected, env_name
    monkeypatch.setenv("LOG_FORMAT", "text")
    load(bare, {"APP_ENV": "production", "TOOL_BASE_URL": "https://tool.example.edu"})
    assert bare.config["LOG_FORMAT"] == "text"


def test_under_gunicorn_json_mode_writes_one_line_per_request_and_no_access_log(sqlite_template, tmp_path):
    database = tmp_path / "tool.sqlite3"
    shutil.copy(sqlite_template, database)
    env = {"APP_ENV": "test", "LOG_FORMAT": "json", "LOG_LEVEL": "INFO", "DATABASE_URL": f"sqlite:///{database}"}
    log_path = tmp_path / "gunicorn.log"
    with gunicorn("wsgi:app", env, log_path) as port:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz?probe=1",
                                         headers={"X-Request-Id": "gunicorn-probe-1"})
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            assert response.headers["X-Request-Id"] == "gunicorn-probe-1"
    lines = [line for line in log_path.read_text().splitlines() if "gunicorn-probe-1" in line]
    assert len(lines) == 1, log_path.read_text()  # gunicorn's access log would be a second
    line = json.loads(lines[0])
    assert (line["route"], line["status"], line["kind"]) == ("/healthz", 200, "http")
    assert "probe=1" not in log_path.read_text()
