"""Websocket glue (flask-sock): the `sock` extension, compression off, and `serve`, which runs one
socket: hello first, then each valid message to a handler, an error frame for each refused one."""

import logging
import socket
import threading
import time

from flask import current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed
from wsproto.events import CloseConnection, TextMessage

from lti_tool.db import UNAVAILABLE, first_line
from lti_tool.errors import AppError, NotAuthenticated
from lti_tool.metrics import events as metrics
from lti_tool.realtime.messages import STUDENT, decode, error_frame, naming
from lti_tool.realtime.rate import TokenBucket

log = logging.getLogger(__name__)

# Routes: @sock.route("/ws/...", bp=bp).
sock = Sock()

CLOSE_INTERNAL_ERROR = 1011
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# A handler that raises one of these refusals also loses the socket.
CLOSE_CODES = {401: CLOSE_UNAUTHENTICATED, 403: CLOSE_FORBIDDEN}

INTERNAL_ERROR_FRAME = {
    "type": "error", "code": "internal_error",
    "message": "The server hit an unexpected error handling that message; please try again.",
}
DATABASE_UNAVAILABLE_FRAME = {
    "type": "error", "code": "database_unavailable",
    "message": "The server cannot record anything right now; reconnect and send again what was not acknowledged.",
}


class RateLimited(AppError):
    code = "rate_limited"
    title = "Too many messages"
    http_status = 429


def init_app(app):
    sock.init_app(app)
    app.before_request(_without_compression)


def _without_compression():
    # No permessage-deflate: it costs ~96 KB per socket and multiplies tail latency (STACK.md).
    # simple-websocket negotiates only what the handshake headers offer.
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)


class _Transport:
    """What a Connection needs from a simple-websocket socket. Every write, ours and the library's
    reader's (pings, pongs, close replies), goes out whole under one lock: the library writes with
    sock.send, which under gevent may write part of a frame to a slow client and drop the rest, and a
    second greenlet writing to a socket whose writer waits raises ConcurrentObjectUseError."""

    def __init__(self, ws):
        self._ws = ws
        ws.sock = _WholeWrites(ws.sock)

    def send(self, text):
        self._write(TextMessage(data=text))

    def close(self, code, reason):
        self._write(CloseConnection(code, reason))
        self._ws.connected = False

    def abort(self):
        # Wakes whatever waits on the socket (the writer, the reader and so the handler); fails once closed.
        try:
            self._ws.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _write(self, event):
        if not self._ws.connected:
            raise ConnectionClosed(self._ws.close_reason, self._ws.close_message)
        self._ws.sock.send(self._ws.ws.send(event))


class _WholeWrites:
    """A socket whose send writes all of the data, one caller at a time."""

    def __init__(self, sock):
        self._sock = sock
        self._lock = threading.Lock()

    def send(self, data):
        with self._lock:
            self._sock.sendall(data)
        return len(data)

    def __getattr__(self, name):
        return getattr(self._sock, name)


def serve(ws, schema, handle, queue_size=None):
    """Run socket `ws` until it closes. The first message must be a `hello` handled within
    SOCKET_HELLO_TIMEOUT; then `handle(connection, message)` gets each message valid under `schema`
    (messages.STUDENT or messages.PROCTOR), in its own app context as an HTTP request would be.
    A handler replies with connection.send(...), joins rooms through the hub, and refuses by raising
    an AppError: the client gets an error frame, and for NotAuthenticated or Forbidden the socket
    is closed too (4401, 4403). Returns the Connection, closed, with its counts and close code."""
    config = current_app.config
    connection = current_app.extensions["hub"].connect(_Transport(ws), queue_size)
    kind = "student" if schema is STUDENT else "dashboard"
    metrics.socket_opened(kind)
    try:
        _receive(ws, connection, schema, handle, config, kind)
    except ConnectionClosed as exc:
        log.info("socket closed: %s %s", exc.reason, exc.message or "")
        connection.closed_by(exc.reason, exc.message or "")
    finally:
        connection.close()
        connection.wait_closed(config["SOCKET_CLOSE_TIMEOUT"])
        metrics.socket_closed(kind)
    return connection


def _receive(ws, connection, schema, handle, config, kind):
    max_bytes = config["SOCK_SERVER_OPTIONS"]["max_message_size"]
    hello_deadline = time.monotonic() + config["SOCKET_HELLO_TIMEOUT"]
    bucket = TokenBucket(config["SOCKET_MESSAGES_PER_SECOND"], config["SOCKET_MESSAGE_BURST"])
    greeted = False
    while not connection.closed:
        raw = ws.receive(timeout=None if greeted else max(0.0, hello_deadline - time.monotonic()))
        if raw is None:
            connection.close(CLOSE_UNAUTHENTICATED, "no hello in time")
            return
        connection.received += 1
        message = None
        try:
            # Read before the rate is checked, so a refusal names the message it refuses (`id`): bounded by
            # max_bytes, reading costs less than the round trip of a message sent again for want of its name.
            message = decode(raw, schema, max_bytes)
            if not bucket.take():
                raise RateLimited("Too many messages; this one was not taken. Send it again in a moment.")
            metrics.message_received(kind, message)
            if not greeted and message["type"] != "hello":
                raise NotAuthenticated("Send hello with your launch token first.")
            with current_app.app_context():
                handle(connection, message)
        except AppError as exc:
            connection.send(error_frame(exc, message))
            if exc.http_status in CLOSE_CODES:
                connection.close(CLOSE_CODES[exc.http_status], exc.code)
        except UNAVAILABLE as exc:
            # Nothing the message asked for is on record. The page resends what was not acknowledged after a
            # reconnect (a resend is recorded once), so close: it reconnects with backoff until the database is back.
            log.warning("socket closed, the database is unavailable: %s", first_line(exc))
            connection.send(DATABASE_UNAVAILABLE_FRAME)
            connection.close(CLOSE_INTERNAL_ERROR, "database unavailable")
        except Exception:
            log.exception("socket handler failed")
            connection.send({**INTERNAL_ERROR_FRAME, **naming(message, 500)})
        else:
            greeted = True
