"""What gunicorn serves in the scale-out test: wsgi.py's app, built and patched as production runs
it, plus one test-only socket whose room is fed by one bus channel (TEST_CHANNEL). Never imported
by the test process itself: it patches the standard library."""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import threading  # noqa: E402

from flask import Blueprint  # noqa: E402

from lti_tool.realtime.sockets import serve, sock  # noqa: E402
from tests.realtime.schema import SCHEMA  # noqa: E402
from wsgi import app  # noqa: E402

CHANNEL = os.environ["TEST_CHANNEL"]
app.config["SOCK_SERVER_OPTIONS"] = {**app.config["SOCK_SERVER_OPTIONS"],
                                     "ping_interval": float(os.environ.get("TEST_PING_INTERVAL", 25))}
bus, hub = app.extensions["bus"], app.extensions["hub"]
subscribed = threading.Event()
bus.on_gap(subscribed.set)
bus.subscribe(CHANNEL, lambda message: hub.broadcast(CHANNEL, message))


def handle(connection, message):
    """hello joins the channel's room; flood and relay do what tests/realtime/schema.py says."""
    if message["type"] == "hello":
        hub.join(CHANNEL, connection)
        connection.send({"type": "welcome", "pid": os.getpid(), "subscribed": subscribed.wait(5)})
    elif message["type"] == "flood":
        for n in range(message["count"]):
            connection.send({"type": "status", "n": n, "padding": "x" * 60000})
    elif message["type"] == "relay":
        bus.publish(CHANNEL, message)


bp = Blueprint("scale_out_test", __name__)


@sock.route("/test/socket", bp=bp)
def test_socket(ws):
    serve(ws, SCHEMA, handle)


app.register_blueprint(bp)
