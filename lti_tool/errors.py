"""One error hierarchy: every refusal carries its HTTP status and a message for people."""

import logging
import math

from flask import render_template, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from lti_tool.db import UNAVAILABLE, first_line
from lti_tool.request_log import request_id

log = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 2


class AppError(Exception):
    """A refusal the user can understand. Subclasses set the status and a title."""

    http_status = 400
    title = "Request refused"
    code = "bad_request"

    def __init__(self, message, *, hint=None, fields=None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.fields = fields or {}

    def details(self):
        """Extra, structured facts for API clients (e.g. every problem of a file). `fields` maps each input found
        wrong to what is wrong with it ({"closes_at": "Must be after the opening time."}), for pages to show each
        problem next to its field."""
        return {"fields": self.fields} if self.fields else {}


class NotAuthenticated(AppError):
    http_status = 401
    title = "Please launch the tool again"
    code = "not_authenticated"


class Forbidden(AppError):
    http_status = 403
    title = "Not allowed"
    code = "forbidden"


class NotFound(AppError):
    http_status = 404
    title = "Not found"
    code = "not_found"


def wants_json():
    if request.path.startswith("/api/") or request.path == "/metrics":
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(status, code, title, message, hint=None, check=None, details=None):
    if wants_json():
        body = {"error": {"code": code, "message": message, **(details or {})}}
        if hint:
            body["error"]["hint"] = hint
        if check:
            body["error"]["check"] = check
        return body, status
    page = render_template("error.html", title=title, message=message, hint=hint, code=code, check=check,
                           reference=(details or {}).get("reference"))
    return page, status


def megabytes(size):
    """A size in bytes as people read it, rounded up to a tenth: 6000000 -> "5.8 MB", 2 MiB -> "2 MB"."""
    tenths = math.ceil(size * 10 / (1024 * 1024))
    return f"{tenths // 10}{f'.{tenths % 10}' if tenths % 10 else ''} MB"


def too_large_message(size, limit):
    """Why a request over MAX_CONTENT_LENGTH was refused; static/js/authoring/upload-limit.js says the same before
    it sends a file. `size` is None when the request did not say its length."""
    largest = f"the largest is {megabytes(limit)}"
    if request.mimetype != "multipart/form-data":
        return f"This request is too large: {largest}."
    size_words = megabytes(size) if size else f"over {megabytes(limit)}"
    return f"This file is {size_words}; {largest}; split it into smaller files."


def init_app(app):
    @app.errorhandler(AppError)
    def handle_app_error(exc):
        check = getattr(exc, "check", None)
        log.info("refused %s %s [%s%s]: %s", request.method, _route(), exc.code,
                 f":{check}" if check else "", exc.message)
        return render_error(exc.http_status, exc.code, exc.title, exc.message, exc.hint, check, exc.details())

    @app.errorhandler(HTTPException)
    def handle_http_error(exc):
        return render_error(exc.code, exc.name.lower().replace(" ", "_"), exc.name, exc.description)

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(exc):
        # The request's own limit: MAX_CONTENT_LENGTH, or what its route allows (a question file).
        message = too_large_message(request.content_length, request.max_content_length)
        return render_error(413, "too_large", "Too large", message)

    def handle_database_unavailable(exc):
        # Expected while the database restarts: one line per request, not a traceback; a 503 the pages retry.
        log.warning("database unavailable on %s %s: %s", request.method, _route(), first_line(exc))
        body, status = render_error(
            503, "database_unavailable", "Please try again in a moment",
            "The tool cannot reach its database right now, so nothing was changed. Please try again in a moment.",
        )
        return body, status, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}

    for error in UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        reference = request_id()
        log.exception("unexpected error on %s %s (request %s)", request.method, _route(), reference)
        return render_error(
            500, "internal_error", "Something went wrong",
            "The tool hit an unexpected error. Nothing you did caused it; please try again.",
            details={"reference": reference},
        )


def _route():
    """The URL rule, not the path: a path may hold ids and a query string may hold what nobody should log."""
    return request.url_rule.rule if request.url_rule else request.path
