"""GET /metrics: Prometheus text, for a bearer METRICS_TOKEN or, without one configured, private addresses only."""

import hmac
import ipaddress
import os

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.metrics.database import DatabaseCollector

bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics():
    _check_access()
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(DatabaseCollector())
    body = _process_metrics() + generate_latest(scraped)
    return Response(body, content_type=CONTENT_TYPE_LATEST)


def _process_metrics():
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return generate_latest(REGISTRY)
    workers = CollectorRegistry()
    MultiProcessCollector(workers)
    return generate_latest(workers)


def _check_access():
    token = current_app.config["METRICS_TOKEN"]
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
            raise NotAuthenticated("Send the metrics token as a bearer token.")
        return
    # remote_addr is the peer as ProxyFix leaves it: with PROXY_FIX_HOPS=N only the address the N-th proxy saw,
    # which a client cannot forge with its own X-Forwarded-For; behind a proxy, scrape past it or set a token.
    address = ipaddress.ip_address(request.remote_addr or "0.0.0.0")
    if not (address.is_loopback or address.is_private):
        raise Forbidden("Metrics are served to internal addresses only; set METRICS_TOKEN to scrape from elsewhere.")
