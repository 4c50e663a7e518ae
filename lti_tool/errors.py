"""One error hierarchy: every refusal carries its HTTP status and a message for people."""

import logging

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from lti_tool.db import UNAVAILABLE, first_line

log = logging.getLogger(__name__)

DATABASE_RETRY_AFTER_SECONDS = 2


class AppError(Exception):
    """A refusal the user can understand. Subclasses set the status and a title."""

    http_status = 400
    title = "Request refused"
    code = "bad_request"

    def __init__(self, message, *, hint=None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def details(self):
        """Extra, structured facts for API clients (e.g. every problem of a file); none by default."""
        return {}


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
    if request.path.startswith("/api/"):
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
    page = render_template("error.html", title=title, message=message, hint=hint, code=code, check=check)
    return page, status


def init_app(app):
    @app.errorhandler(AppError)
    def handle_app_error(exc):
        check = getattr(exc, "check", None)
        log.info("refused %s %s [%s%s]: %s", request.method, request.path, exc.code,
                 f":{check}" if check else "", exc.message)
        return render_error(exc.http_status, exc.code, exc.title, exc.message, exc.hint, check, exc.details())

    @app.errorhandler(HTTPException)
    def handle_http_error(exc):
        return render_error(exc.code, exc.name.lower().replace(" ", "_"), exc.name, exc.description)

    def handle_database_unavailable(exc):
        # Expected while the database restarts: one line per request, not a traceback; a 503 the pages retry.
        log.warning("database unavailable on %s %s: %s", request.method, request.path, first_line(exc))
        body, status = render_error(
            503, "database_unavailable", "Please try again in a moment",
            "The tool cannot reach its database right now, so nothing was changed. Please try again in a moment.",
        )
        return body, status, {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}

    for error in UNAVAILABLE:
        app.register_error_handler(error, handle_database_unavailable)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return render_error(
            500, "internal_error", "Something went wrong",
            "The tool hit an unexpected error. Nothing you did caused it; please try again.",
        )
