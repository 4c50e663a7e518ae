"""The websocket glue: hello first, each valid message to the handler, error frames for the rest; and,
over a real server and client, no compression and no crash on oversize or malformed frames."""

import contextlib
import json
import signal
import socket
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Blueprint, Flask, g
from flask_sock import Sock
from simple_websocket import Client, ConnectionClosed
from sqlalchemy import exc as sa_exc
from werkzeug.serving import make_server
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage

from lti_tool import realtime
from lti_tool.errors import Forbidden, NotAuthenticated
from lti_tool.realtime.hub import CLOSE_GOING_AWAY
from lti_tool.realtime.sockets import CLOSE_FORBIDDEN, CLOSE_INTERNAL_ERROR, CLOSE_UNAUTHENTICATED, serve, sock
from tests.realtime.schema import SCHEMA
from tests.servers import gunicorn, gunicorn_process

ROOT = Path(__file__).resolve().parents[2]

WAIT = 5
# The app gunicorn serves in these tests (it adds one test-only socket to the real one).
APP = "tests.realtime.gevent_worker:app"
HELLO = json.dumps({"type": "hello", "token": "good"})
HEARTBEAT = json.dumps({"type": "heartbeat", "client_time": 1.5})


def echo(connection, message):
    """A handler: checks the token of a hello and joins room exam:1, answers every message with what it was."""
    if message["type"] == "hello" and message["token"] == "forbidden":
        raise Forbidden("Not your exam.")
    if message["type"] == "hello" and message["token"] != "good":
        raise NotAuthenticated("Launch again.")
    if message["type"] == "hello":
        realtime.hub().join("exam:1", connection)
    if message["type"] == "flood":
        raise RuntimeError("handler bug")
    assert "seen" not in g, "an earlier message's app context leaked"
    g.seen = True
    connection.send({"type": "echo", "of": message["type"]})


class FakeSocket:
    """simple-websocket's Server as serve() uses it: receive() plays the given frames (None: nothing
    arrived in time), then reports the client gone; what the server writes is kept."""

    def __init__(self, *frames):
        self._frames = list(frames)
        self._written = []
        self.connected = True
        self.close_reason, self.close_message = 1005, None
        self.ws = SimpleNamespace(send=lambda event: [event])  # the protocol: here events are the wire
        self.sock = SimpleNamespace(sendall=self._written.extend, shutdown=lambda how: None)

    def receive(self, timeout=None):
        if not self._frames:
            raise ConnectionClosed(1001, "tab closed")
        return self._frames.pop(0)

    @property
    def sent(self):
        return [json.loads(event.data) for event in self._written if isinstance(event, TextMessage)]

    @property
    def closed_with(self):
        closes = [(event.code, event.reason) for event in self._written if isinstance(event, CloseConnection)]
        return closes[0] if closes else None


def run(app, *frames):
    ws = FakeSocket(*frames)
    with app.app_context():
        serve(ws, SCHEMA, echo)
    return ws


def test_after_hello_each_message_reaches_the_handler_and_refusals_get_error_frames(realtime_app):
    ws = run(realtime_app, HELLO, "{not json", HEARTBEAT, json.dumps({"type": "terminate"}), HEARTBEAT)
    assert ws.sent == [
        {"type": "echo", "of": "hello"},
        {"type": "error", "code": "malformed", "message": "The message is not valid JSON."},
        {"type": "echo", "of": "heartbeat"},
        {"type": "error", "code": "unknown_type",
         "message": "This socket does not accept messages of type 'terminate'."},
        {"type": "echo", "of": "heartbeat"},
    ]
    assert ws.closed_with == (1000, "")
    assert realtime_app.extensions["hub"]._memberships == {}


def test_a_message_before_hello_closes_the_socket_as_unauthenticated(realtime_app):
    ws = run(realtime_app, HEARTBEAT, HELLO)
    assert ws.sent == [{"type": "error", "code": "not_authenticated",
                        "message": "Send hello with your launch token first."}]
    assert ws.closed_with == (CLOSE_UNAUTHENTICATED, "not_authenticated")


@pytest.mark.parametrize("token, code, close", [
    ("expired", "not_authenticated", CLOSE_UNAUTHENTICATED),
    ("forbidden", "forbidden", CLOSE_FORBIDDEN),
])
def test_a_refused_hello_closes_the_socket(realtime_app, token, code, close):
    ws = run(realtime_app, json.dumps({"type": "hello", "token": token}), HEARTBEAT)
    assert [frame["code"] for frame in ws.sent] == [code]
    assert ws.closed_with == (close, code)


def test_no_hello_in_time_closes_the_socket(realtime_app):
    ws = run(realtime_app, None)
    assert ws.sent == []
    assert ws.closed_with == (CLOSE_UNAUTHENTICATED, "no hello in time")


def test_a_handler_bug_answers_an_internal_error_and_the_socket_goes_on(realtime_app, caplog):
    ws = run(realtime_app, HELLO, json.dumps({"type": "flood", "count": 1}), HEARTBEAT)
    assert [frame.get("code", frame["type"]) for frame in ws.sent] == ["echo", "internal_error", "echo"]
    assert "socket handler failed" in caplog.text


@contextlib.contextmanager
def served(app):
    """`app` on a real server (Werkzeug's, threaded) at 127.0.0.1; yields the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def socket_port(realtime_app):
    """The tool with one test-only socket route, /test/socket, served by `echo`."""
    bp = Blueprint("test_socket", __name__)

    @sock.route("/test/socket", bp=bp)
    def test_socket(ws):
        serve(ws, SCHEMA, echo)

    realtime_app.register_blueprint(bp)
    with served(realtime_app) as port:
        yield port


@contextlib.contextmanager
def client(port):
    ws = Client.connect(f"ws://127.0.0.1:{port}/test/socket")
    try:
        yield ws
    finally:
        with contextlib.suppress(ConnectionClosed):
            ws.close()


def reply(ws):
    return json.loads(ws.receive(timeout=WAIT))


def handshake(port, path):
    """Open a websocket by hand, offering permessage-deflate as browsers do; the response's status
    line and headers."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as conn:
        conn.sendall((
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            assert chunk, f"the server hung up during the handshake: {head!r}"
            head += chunk
    status, *lines = head.split(b"\r\n\r\n")[0].decode().split("\r\n")
    return status, {name.lower(): value for name, value in (line.split(": ", 1) for line in lines)}


def test_the_handshake_refuses_compression_a_browser_offers(socket_port):
    status, headers = handshake(socket_port, "/test/socket")
    assert status == "HTTP/1.1 101 Switching Protocols"
    assert "sec-websocket-extensions" not in headers


def test_without_the_tool_the_same_handshake_would_be_compressed():
    """The control for the test above: plain flask-sock accepts the deflate offer."""
    app = Flask(__name__)
    plain = Sock(app)

    @plain.route("/plain")
    def plain_socket(ws):
        ws.receive(timeout=WAIT)

    with served(app) as port:
        status, headers = handshake(port, "/plain")
    assert status == "HTTP/1.1 101 Switching Protocols"
    assert headers["sec-websocket-extensions"].startswith("permessage-deflate")


def test_a_malformed_frame_gets_an_error_frame_and_the_socket_stays_usable(socket_port):
    with client(socket_port) as ws:
        ws.send(HELLO)
        assert reply(ws) == {"type": "echo", "of": "hello"}
        ws.send('{"type": "heartbeat",')
        assert reply(ws)["code"] == "malformed"
        ws.send(HEARTBEAT)
        assert reply(ws) == {"type": "echo", "of": "heartbeat"}


def test_a_message_too_large_in_bytes_gets_an_error_frame(socket_port):
    with client(socket_port) as ws:
        ws.send(HELLO)
        reply(ws)
        ws.send(json.dumps({"type": "note", "text": "€" * 30000}, ensure_ascii=False))
        assert reply(ws)["code"] == "too_large"
        ws.send(HEARTBEAT)
        assert reply(ws) == {"type": "echo", "of": "heartbeat"}


def raw_client(port, receive_buffer=4096):
    """A socket by hand (wsproto) with a small receive buffer, that says hello and reads only when
    the test does; returns the socket and its protocol state."""
    conn = socket.socket()
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    conn.settimeout(WAIT)
    conn.connect(("127.0.0.1", port))
    protocol = WSConnection(ConnectionType.CLIENT)
    conn.sendall(protocol.send(Request(host=f"127.0.0.1:{port}", target="/test/socket")))
    while not any(isinstance(event, AcceptConnection) for event in protocol.events()):
        protocol.receive_data(conn.recv(4096))
    conn.sendall(protocol.send(TextMessage(data=HELLO)))
    return conn, protocol


def read_messages(conn, protocol, count):
    """The next `count` messages; pings are answered, anything else fails the test."""
    messages, text = [], ""
    while True:
        data = conn.recv(1 << 16)
        assert data, f"the connection ended after {len(messages)} messages"
        protocol.receive_data(data)
        for event in protocol.events():
            if isinstance(event, Ping):
                conn.sendall(protocol.send(event.response()))
                continue
            assert isinstance(event, TextMessage), f"after {len(messages)} messages: {event!r}"
            text += event.data
            if event.message_finished:
                messages.append(json.loads(text))
                text = ""
                if len(messages) == count:
                    return messages


@pytest.mark.parametrize("realtime_app", [{"SOCKET_QUEUE_SIZE": 8, "SOCKET_CLOSE_TIMEOUT": 0.5}], indirect=True)
def test_a_client_that_stops_reading_is_cut_off_while_the_others_get_every_message(realtime_app, socket_port):
    hub = realtime_app.extensions["hub"]
    stalled, _ = raw_client(socket_port)
    with client(socket_port) as fast:
        fast.send(HELLO)
        reply(fast)
        while len(hub.members("exam:1")) < 2:
            time.sleep(0.01)  # the stalled client's hello has no reply to wait for
        padding = "x" * 60000
        sent = 0
        while len(hub.members("exam:1")) == 2:
            assert sent < 2000, "the stalled client was never dropped"
            started = time.monotonic()
            hub.broadcast("exam:1", {"type": "status", "n": sent, "padding": padding})
            assert time.monotonic() - started < 0.5, "a broadcast waited for the stalled client"
            assert reply(fast)["n"] == sent
            sent += 1
        assert sent > 8
    # The server gave up on it: what is buffered drains, then the connection ends.
    with stalled:
        while stalled.recv(1 << 20):
            pass


def test_a_frame_over_the_transport_limit_closes_that_socket_and_the_server_goes_on(socket_port):
    with client(socket_port) as ws:
        ws.send(HELLO)
        reply(ws)
        ws.send("x" * 70000)
        with pytest.raises(ConnectionClosed) as closed:
            ws.receive(timeout=WAIT)
        assert closed.value.reason == 1009
    with client(socket_port) as ws:
        ws.send(HELLO)
        assert reply(ws) == {"type": "echo", "of": "hello"}


def test_under_gunicorn_a_message_on_one_server_reaches_the_sockets_of_another_through_redis(bus_env, tmp_path):
    env = {"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}", **bus_env,
           "TEST_CHANNEL": f"test-{uuid.uuid4().hex[:12]}"}
    with gunicorn(APP, env, tmp_path / "first.log") as first, gunicorn(APP, env, tmp_path / "second.log") as second:
        status, headers = handshake(first, "/test/socket")
        assert status == "HTTP/1.1 101 Switching Protocols"
        assert "sec-websocket-extensions" not in headers
        with client(first) as a, client(second) as b:
            a.send(HELLO)
            b.send(HELLO)
            welcome_a, welcome_b = reply(a), reply(b)
            assert welcome_a["subscribed"] and welcome_b["subscribed"]
            assert welcome_a["pid"] != welcome_b["pid"]

            relayed = {"type": "relay", "text": "from the first server"}
            a.send(json.dumps(relayed))
            assert reply(b) == relayed
            assert reply(a) == relayed
            a.send("not json")
            assert reply(a)["code"] == "malformed"


def test_under_gunicorn_a_client_slower_than_the_server_gets_every_frame_intact(redis_url, tmp_path):
    """Also while the server pings it every 20 ms: a ping must not land inside a frame being written."""
    env = {"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}", "REDIS_URL": redis_url,
           "TEST_CHANNEL": f"test-{uuid.uuid4().hex[:12]}", "TEST_PING_INTERVAL": "0.02"}
    with gunicorn(APP, env, tmp_path / "server.log") as port:
        conn, protocol = raw_client(port)
        with conn:
            assert read_messages(conn, protocol, 1)[0]["type"] == "welcome"
            # 6 MB at once fills every buffer between the server and this client many times over.
            conn.sendall(protocol.send(TextMessage(data=json.dumps({"type": "flood", "count": 100}))))
            assert [message["n"] for message in read_messages(conn, protocol, 100)] == list(range(100))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["graceful", "quick"])
def test_under_gunicorn_a_stop_closes_every_socket_with_going_away_at_once(redis_url, tmp_path, stop):
    """A stop (SIGTERM: a deploy, a scale-down): each page hears 1001 at once and reconnects to a worker that
    stays, instead of a cut connection (1006) when gunicorn's graceful_timeout (20 s) runs out; and with no
    socket left the worker exits without waiting that long. A quick stop (SIGINT) says 1001 too."""
    env = {"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}", "REDIS_URL": redis_url,
           "TEST_CHANNEL": f"test-{uuid.uuid4().hex[:12]}"}
    log_path = tmp_path / "server.log"
    with gunicorn_process(APP, env, log_path) as (port, server):
        with client(port) as greeted, client(port) as silent:
            greeted.send(HELLO)
            assert reply(greeted)["type"] == "welcome"
            server.send_signal(stop)
            for ws in (greeted, silent):  # also a socket that has not said hello yet
                with pytest.raises(ConnectionClosed) as closed:
                    ws.receive(timeout=WAIT)
                assert (closed.value.reason, closed.value.message) == (CLOSE_GOING_AWAY, "server restarting")
        server.wait(timeout=30)
    assert "graceful timeout" not in log_path.read_text()


def test_when_the_database_is_unavailable_the_socket_says_so_and_closes_so_the_page_resends(realtime_app, caplog):
    def handler(connection, message):
        if message["type"] == "heartbeat":
            raise sa_exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))
        connection.send({"type": "echo", "of": message["type"]})

    ws = FakeSocket(HELLO, HEARTBEAT, HEARTBEAT)
    with realtime_app.app_context():
        serve(ws, SCHEMA, handler)
    # Nothing the heartbeat asked for is on record: the page must reconnect and send again what was not
    # acknowledged, so the socket closes (1011) instead of going on as if the message had been handled.
    assert [frame.get("code", frame["type"]) for frame in ws.sent] == ["echo", "database_unavailable"]
    assert ws.closed_with == (CLOSE_INTERNAL_ERROR, "database unavailable")
    assert "socket closed, the database is unavailable" in caplog.text
    assert "socket handler failed" not in caplog.text
