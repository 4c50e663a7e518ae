"""The hub: one bounded queue and one writer per socket, so a slow client is dropped and never stalls
the others."""

import json
import queue
import threading
import time

from simple_websocket import ConnectionClosed

from lti_tool.realtime.hub import CLOSE_GOING_AWAY, CLOSE_TOO_SLOW, Hub

WAIT = 5


class FakeTransport:
    """A socket whose sends can be held up, as a client that stops reading holds up a real one."""

    def __init__(self, *, blocked=False, fail_with=None):
        self.sent = queue.Queue()
        self.closes = queue.Queue()
        self.sending = threading.Event()
        self.release = threading.Event()
        self.aborted = threading.Event()
        self._fail_with = fail_with
        if not blocked:
            self.release.set()

    def send(self, text):
        self.sending.set()
        self.release.wait(WAIT)
        if self.aborted.is_set():
            raise OSError("connection aborted")
        if self._fail_with:
            raise self._fail_with
        self.sent.put(json.loads(text))

    def close(self, code, reason):
        self.closes.put((code, reason))

    def abort(self):
        self.aborted.set()
        self.release.set()

    def received(self, count):
        return [self.sent.get(timeout=WAIT) for _ in range(count)]


def test_a_slow_client_is_dropped_while_a_fast_one_gets_every_message_in_order():
    hub = Hub(queue_size=4, close_timeout=0.2)
    fast, slow = FakeTransport(), FakeTransport(blocked=True)
    fast_connection, slow_connection = hub.connect(fast), hub.connect(slow)
    for connection in (fast_connection, slow_connection):
        hub.join("exam:1", connection)

    received, taken, broadcasting = [], [], 0.0
    # Bursts the fast client takes in its stride, while the slow one's backlog only grows.
    for burst in range(10):
        started = time.monotonic()
        taken += [hub.broadcast("exam:1", {"type": "status", "n": 3 * burst + n}) for n in range(3)]
        broadcasting += time.monotonic() - started
        received += fast.received(3)
        assert slow.sending.wait(WAIT)

    assert broadcasting < 1, "a broadcast waited for a client"
    assert [message["n"] for message in received] == list(range(30))
    assert taken[:3] == [2, 2, 2] and taken[-1] == 1
    assert hub.members("exam:1") == {fast_connection}
    assert slow_connection.closed
    # Its writer is stuck on a client that never reads, so the connection is cut, with no close.
    assert slow.aborted.wait(WAIT)
    assert slow_connection.wait_closed(WAIT)
    assert slow.sent.empty() and slow.closes.empty()
    assert not fast_connection.closed


def test_a_dropped_client_that_catches_up_gets_too_slow_and_not_the_backlog():
    hub = Hub(queue_size=3, close_timeout=WAIT)
    slow = FakeTransport(blocked=True)
    connection = hub.connect(slow)
    assert connection.send({"n": 0})
    assert slow.sending.wait(WAIT)
    assert [connection.send({"n": n}) for n in range(1, 6)] == [True, True, True, False, False]

    slow.release.set()
    assert slow.closes.get(timeout=WAIT) == (CLOSE_TOO_SLOW, "too slow")
    assert slow.received(1) == [{"n": 0}]
    assert connection.wait_closed(WAIT)
    assert slow.sent.empty()


def test_close_sends_what_is_queued_before_the_close_and_nothing_after():
    hub = Hub(queue_size=8, close_timeout=WAIT)
    transport = FakeTransport(blocked=True)
    connection = hub.connect(transport)
    hub.join("attempt:1", connection)
    connection.send({"type": "warn"})
    connection.send({"type": "terminate"})
    connection.close(4000, "terminated")
    assert connection.send({"type": "late"}) is False
    assert hub.broadcast("attempt:1", {"type": "late"}) == 0

    transport.release.set()
    assert [message["type"] for message in transport.received(2)] == ["warn", "terminate"]
    assert transport.closes.get(timeout=WAIT) == (4000, "terminated")
    assert connection.wait_closed(WAIT)
    assert transport.sent.empty()


def test_a_client_that_went_away_leaves_its_rooms():
    hub = Hub(queue_size=8, close_timeout=WAIT)
    transport = FakeTransport(fail_with=ConnectionClosed(1001, "tab closed"))
    connection = hub.connect(transport)
    hub.join("exam:1", connection)
    hub.broadcast("exam:1", {"type": "status"})
    assert connection.wait_closed(WAIT)
    assert connection.closed
    assert hub.members("exam:1") == set()
    hub.join("exam:1", connection)
    assert hub.members("exam:1") == set()


def test_rooms_join_leave_and_close_all():
    hub = Hub(queue_size=8, close_timeout=WAIT)
    a, b = FakeTransport(), FakeTransport()
    first, second = hub.connect(a), hub.connect(b)
    hub.join("exam:1", first)
    hub.join("exam:1", second)
    hub.join("exam:1:proctors", second)
    hub.leave("exam:1", first)
    assert hub.broadcast("exam:1", {"n": 1}) == 1
    assert b.received(1) == [{"n": 1}]

    hub.close_all()
    assert a.closes.get(timeout=WAIT) == b.closes.get(timeout=WAIT) == (CLOSE_GOING_AWAY, "server restarting")
    assert hub.members("exam:1") == hub.members("exam:1:proctors") == set()
    assert a.sent.empty()


def test_a_connection_can_have_a_larger_queue_than_the_hubs():
    hub = Hub(queue_size=2, close_timeout=0.2)
    roomy, tight = FakeTransport(blocked=True), FakeTransport(blocked=True)
    roomy_connection, tight_connection = hub.connect(roomy, queue_size=50), hub.connect(tight)
    for connection, transport in ((roomy_connection, roomy), (tight_connection, tight)):
        connection.send({"type": "status", "n": -1})
        assert transport.sending.wait(WAIT)  # each writer is now held inside its first send
    assert all([roomy_connection.send({"type": "status", "n": n}) for n in range(20)])
    assert not all([tight_connection.send({"type": "status", "n": n}) for n in range(20)])
    roomy.release.set()
    assert [m["n"] for m in roomy.received(21)] == list(range(-1, 20))
    assert not roomy_connection.closed
