"""Request ids and structured logs. Every request has an id (the proxy's X-Request-Id when it is a sane token, else
a new one), sent back in the response and named by error logs and 500 bodies. With LOG_FORMAT=json every log line
is one JSON object, and each HTTP request and each websocket session adds one line of its own when it ends. The
lines carry ids only: never a token, a name, an email or a query string (routes are logged as their URL rule)."""

import json
import logging
import re
import time
import uuid

from flask import current_app, g, has_request_context, request

log = logging.getLogger("lti_tool.requests")

HEADER = "X-Request-Id"
# What a proxy's id may look like to be kept (nginx's $request_id is 32 hex digits; a UUID also fits).
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the request id inside a request, the record's
    `fields` (extra={"fields": {...}}) and the traceback of an exception. Times in UTC."""

    converter = time.gmtime

    def format(self, record):
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            line["request_id"] = request_id()
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def init_app(app):
    json_lines = app.config["LOG_FORMAT"] == "json"
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    # Without effect when the root logger has handlers already (pytest's, a second app in one process).
    logging.basicConfig(level=app.config["LOG_LEVEL"], handlers=[handler])
    app.before_request(_start)
    app.after_request(_finish)


# Kept in the WSGI environ, which is the request's own: `g` belongs to the app context, which a test (or a CLI
# command) may hold across several requests.
ID_KEY = "lti_tool.request_id"
STARTED_KEY = "lti_tool.request_started"


def request_id():
    """This request's id: the proxy's when it sent a sane one, else a new one."""
    if ID_KEY not in request.environ:
        given = request.headers.get(HEADER, "")
        request.environ[ID_KEY] = given if SANE_ID.fullmatch(given) else uuid.uuid4().hex
    return request.environ[ID_KEY]


def _start():
    request.environ[STARTED_KEY] = time.perf_counter()


def _finish(response):
    response.headers[HEADER] = request_id()
    if _json_lines() and request.headers.get("Upgrade", "").lower() != "websocket":
        # A websocket logs its own line when the session ends (socket_closed).
        fields = {
            "kind": "http", "request_id": request_id(), "method": request.method,
            "route": request.url_rule.rule if request.url_rule else None,
            "status": response.status_code,
            "duration_ms": _elapsed_ms(request.environ.get(STARTED_KEY)),
            **_who(g.get("launch")),
        }
        log.info("%s %s %s", request.method, fields["route"], response.status_code, extra={"fields": fields})
    return response


def socket_closed(kind, context, started, connection, **ids):
    """The line of a websocket session that has ended: whose, how long, how many messages, how it closed. `ids` are
    what it was about (attempt_id, exam_id)."""
    if not _json_lines():
        return
    fields = {
        "kind": f"socket.{kind}", "request_id": request_id(),
        "route": request.url_rule.rule if request.url_rule else None,
        **ids, **_who(context),
        "duration_ms": _elapsed_ms(started),
        "messages_in": connection.received, "messages_out": connection.sent,
        "close_code": connection.close_code, "close_reason": connection.close_reason,
    }
    log.info("%s socket closed %s", kind, connection.close_code, extra={"fields": fields})


def _json_lines():
    return current_app.config["LOG_FORMAT"] == "json"


def _who(context):
    return {"user_id": context.user_id, "course_id": context.course_id} if context is not None else {}


def _elapsed_ms(started):
    return round((time.perf_counter() - started) * 1000, 1) if started is not None else None
