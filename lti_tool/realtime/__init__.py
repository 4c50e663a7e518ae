"""Real time: the bus that carries events between workers, and the hub of this worker's websockets."""

from flask import current_app

from lti_tool.realtime import sockets
from lti_tool.realtime.bus import make_bus
from lti_tool.realtime.hub import Hub


def init_app(app):
    app.extensions["bus"] = make_bus(app.config)
    app.extensions["hub"] = Hub(queue_size=app.config["SOCKET_QUEUE_SIZE"],
                                close_timeout=app.config["SOCKET_CLOSE_TIMEOUT"])
    sockets.init_app(app)


def bus():
    """This app's bus (InProcessBus, or RedisBus when REDIS_URL is set)."""
    return current_app.extensions["bus"]


def hub():
    """This app's hub of open sockets."""
    return current_app.extensions["hub"]


def close_sockets(app):
    """Close every socket of this worker with 1001 (going away), as the worker stops: each page reconnects at
    once, to a worker that stays, instead of hanging on until the connection is cut."""
    app.extensions["hub"].close_all()
