"""Every HTTP request counted by its route template (the URL rule, never the path: ids stay out) and status."""

import time

from flask import g, request

from lti_tool.metrics.registry import HTTP_REQUESTS, HTTP_SECONDS

UNMATCHED = "unmatched"


def init_app(app):
    app.before_request(_start)
    app.after_request(_count)


def _start():
    g.metrics_started = time.perf_counter()


def _count(response):
    # A websocket's "request" lasts as long as the socket: it would swamp the duration histogram.
    if request.environ.get("HTTP_UPGRADE", "").lower() == "websocket":
        return response
    route = request.url_rule.rule if request.url_rule else UNMATCHED
    HTTP_REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        HTTP_SECONDS.labels(route).observe(time.perf_counter() - started)
    return response
