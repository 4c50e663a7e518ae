"""How large a request body may be: MAX_CONTENT_LENGTH, or more for a route that says so (`@allows_body(...)`).
The limit is set before any hook reads the body (plain_text reads every form), so this registers first."""

from flask import current_app, request


def allows_body(max_bytes):
    """Decorator: this route takes bodies up to `max_bytes`."""

    def decorator(view):
        view.max_content_length = max_bytes
        return view

    return decorator


def init_app(app):
    app.before_request(_route_limit)


def _route_limit():
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "max_content_length", None)
    if limit is not None:
        request.max_content_length = limit
