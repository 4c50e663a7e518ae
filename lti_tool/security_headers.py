"""Headers on every response: the content security policy, HSTS in production, nosniff, no referrer."""

from flask import current_app, request

from lti_tool.launch import framing

# Scripts, styles and data come only from the tool itself.
BASE_POLICY = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:",
               "base-uri 'none'", "object-src 'none'")
# With Agora on, its Web SDK (served from static/) also calls Agora's gateways over HTTPS and websockets (the
# domains of Agora's firewall list) and may start a worker from a blob.
AGORA_CONNECT = ("https://*.agora.io", "https://*.sd-rtn.com", "wss://*.agora.io", "wss://*.sd-rtn.com")
AGORA_WORKERS = "worker-src 'self' blob:"


def policy(*, frame_ancestors, connect_src, extra=()):
    """A content security policy: the base directives, where the page may connect, who may frame it, and more."""
    return "; ".join((*BASE_POLICY, f"connect-src {connect_src}", f"frame-ancestors {frame_ancestors}", *extra))


def init_app(app):
    framing.init_app(app)
    app.after_request(_add_headers)


def _add_headers(response):
    config = current_app.config
    agora = config["AGORA_APP_ID"] and config["AGORA_APP_CERT"]
    connect = ["'self'", *_own_socket_origin(), *(AGORA_CONNECT if agora else ())]
    response.headers.setdefault("Content-Security-Policy", policy(
        frame_ancestors=framing.ancestors(), connect_src=" ".join(connect), extra=[AGORA_WORKERS] if agora else []))
    if config["STRICT_TRANSPORT_SECURITY"]:
        response.headers.setdefault("Strict-Transport-Security", config["STRICT_TRANSPORT_SECURITY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


def _own_socket_origin():
    """The page's websocket origin, named: older browsers did not let 'self' match ws: or wss:. Werkzeug gives an
    empty host for a Host header with characters a host cannot have."""
    if not request.host:
        return []
    return [f"{'wss' if request.scheme == 'https' else 'ws'}://{request.host}"]
