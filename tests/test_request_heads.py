"""The worker's guard against slow request heads (slowloris), replayed against gunicorn as deployed
(configs/gunicorn.conf.py, request_heads.RequestHeadWorker): a head that is not complete in time is cut, a
trickle of bytes does not extend it, and one address cannot hold more than its share of heads on the way;
honest clients (slow heads in time, idle keep-alive connections, websockets) are untouched. And, on a socket
pair, that a request being served reads plainly."""

import contextlib
import json
import socket
import time
from http.client import HTTPConnection

import pytest
from gevent import socket as gevent_socket
from simple_websocket import Client, ConnectionClosed

from request_heads import Connection, PendingHeads
from tests.servers import gunicorn

WAIT = 5
HEAD_TIMEOUT = 1.0
HALF_HEAD = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a"
REST_OF_HEAD = b"bc\r\n\r\n"


def server_env(tmp_path, **settings):
    return {"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}", **settings}


@pytest.fixture
def opened():
    """Closes what the test opened."""
    with contextlib.ExitStack() as stack:
        yield stack


def kept_alive(opened, port):
    conn = HTTPConnection("127.0.0.1", port, timeout=WAIT)
    opened.callback(conn.close)
    return conn


def websocket(opened, port):
    ws = Client.connect(f"ws://127.0.0.1:{port}/ws/student")
    opened.callback(_close_websocket, ws)
    return ws


def _close_websocket(ws):
    with contextlib.suppress(ConnectionClosed):
        ws.close()


def half_sent(opened, port):
    """A connection that has sent half a request head; and when it started."""
    started = time.monotonic()
    conn = opened.enter_context(socket.create_connection(("127.0.0.1", port), timeout=WAIT))
    conn.sendall(HALF_HEAD)
    return conn, started


def trickle_until_closed(conn, since, every=0.2):
    """Send a byte of the head every `every` seconds, as a slow client does, until the server closes the
    connection; the seconds from `since` to the close."""
    conn.settimeout(every)
    while time.monotonic() - since < HEAD_TIMEOUT + WAIT:
        try:
            assert conn.recv(1024) == b"", "the server answered a half-sent head"
            return time.monotonic() - since
        except TimeoutError:
            conn.sendall(b"a")
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - since
    pytest.fail(f"the server kept a half-sent head open {HEAD_TIMEOUT + WAIT} s")


def healthz(conn):
    conn.request("GET", "/healthz")
    response = conn.getresponse()
    return response.status, json.loads(response.read())


def answer_to_rest_of_head(conn):
    conn.settimeout(WAIT)
    conn.sendall(REST_OF_HEAD)
    return conn.recv(4096).split(b"\r\n", 1)[0]


def test_a_head_not_complete_in_time_is_cut_whatever_trickles_in_and_honest_clients_are_served(tmp_path, opened):
    with gunicorn("wsgi:app", server_env(tmp_path, REQUEST_HEAD_TIMEOUT=str(HEAD_TIMEOUT)),
                  tmp_path / "server.log") as port:
        idle = kept_alive(opened, port)
        assert healthz(idle) == (200, {"status": "ok"})

        slow, started = half_sent(opened, port)
        assert healthz(kept_alive(opened, port)) == (200, {"status": "ok"})
        assert HEAD_TIMEOUT * 0.9 <= trickle_until_closed(slow, started) < HEAD_TIMEOUT + 1

        # An honest slow head, in pieces over half the deadline.
        honest, _ = half_sent(opened, port)
        for piece in (b"b", b"c"):
            honest.settimeout(HEAD_TIMEOUT / 4)
            with pytest.raises(TimeoutError):
                honest.recv(1)  # neither answered nor closed yet
            honest.sendall(piece)
        assert answer_to_rest_of_head(honest) == b"HTTP/1.1 200 OK"

        # Idle on keep-alive for longer than the head deadline: still served (keepalive bounds idling).
        assert healthz(idle) == (200, {"status": "ok"})
        # But the next head on it, once begun, has the same deadline.
        started = time.monotonic()
        idle.sock.sendall(HALF_HEAD)
        assert HEAD_TIMEOUT * 0.9 <= trickle_until_closed(idle.sock, started) < HEAD_TIMEOUT + 1


def test_one_address_holds_no_more_heads_on_the_way_than_its_limit_however_many_finished_connections(tmp_path, opened):
    limit = 4
    env = server_env(tmp_path, PENDING_HEADS_PER_ADDRESS=str(limit), REQUEST_HEAD_TIMEOUT="60")
    with gunicorn("wsgi:app", env, tmp_path / "server.log") as port:
        # More finished connections from this address than the limit: kept alive, and websockets.
        finished = [kept_alive(opened, port) for _ in range(limit + 2)]
        for conn in finished:
            assert healthz(conn)[0] == 200
        websockets = [websocket(opened, port) for _ in range(limit + 2)]

        pending = [half_sent(opened, port)[0] for _ in range(limit)]
        over, started = half_sent(opened, port)
        assert trickle_until_closed(over, started) < 1  # at once, not at the 60 s deadline

        for conn in finished:
            assert healthz(conn)[0] == 200
        for ws in websockets:
            ws.send(json.dumps({"type": "heartbeat", "client_time": 1}))
            assert json.loads(ws.receive(timeout=WAIT))["message"] == "Send hello with your launch token first."
        # A head that completes makes room for the next connection.
        assert answer_to_rest_of_head(pending[0]) == b"HTTP/1.1 200 OK"
        admitted, _ = half_sent(opened, port)
        assert answer_to_rest_of_head(admitted) == b"HTTP/1.1 200 OK"


def test_reads_are_plain_while_a_request_is_served_even_one_whose_head_came_with_the_last(opened):
    """A pipelined request's head comes out of gunicorn's buffer, not from a read: its body must not be read
    against a head deadline, nor its connection counted as sending a head."""
    heads = PendingHeads(timeout=0, per_address=1)  # every head is late at once
    ours, theirs = gevent_socket.socketpair()
    opened.enter_context(theirs)
    connection = opened.enter_context(Connection(heads, "peer", ours.detach()))
    theirs.sendall(b"head")
    assert connection.recv(16) == b""  # late: read as the client's close
    assert heads.full("peer")

    connection.end_head()  # the worker, as it serves the first request
    connection.await_next_head()  # and after it
    connection.end_head()  # the next head was already in the buffer: served at once
    theirs.sendall(b"body")
    assert connection.recv(16) == b"headbody"
    theirs.sendall(b"more")
    assert connection.recv(16) == b"more"
    assert not heads.full("peer")
