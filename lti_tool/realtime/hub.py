"""The hub: this worker's open sockets, by room. Each socket is a Connection with one bounded
outbound queue and one writer thread (a greenlet under gevent), the only code that writes to it:
two greenlets writing one socket corrupt it. Sending only enqueues, so a slow client never stalls
anyone else; a client whose queue overflows is closed."""

import logging
import queue
import threading

from lti_tool.realtime.bus import encode

log = logging.getLogger(__name__)

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_SLOW = 4008


class _Close:
    """Queued after the last message: the writer closes the socket with this code and reason."""

    def __init__(self, code, reason):
        self.code = code
        self.reason = reason


class Connection:
    """One socket's outbound side. `transport` has send(text), close(code, reason) and abort(), which
    cuts the connection without a goodbye (and is harmless once it is closed)."""

    def __init__(self, transport, *, queue_size, close_timeout, on_closed=None):
        self._transport = transport
        self._queue = queue.Queue(maxsize=queue_size)
        self._close_timeout = close_timeout
        self._on_closed = on_closed or (lambda connection: None)
        self._lock = threading.Lock()
        self.closed = False
        # For the session's log line: messages taken from and written to the peer, and how the socket closed.
        self.received = 0
        self.sent = 0
        self.close_code = None
        self.close_reason = None
        self._writer = threading.Thread(target=self._write, name="socket writer", daemon=True)
        self._writer.start()

    def send(self, message: dict) -> bool:
        """Queue `message` for this socket; False if the socket is closed (or has just been, for being too slow)."""
        return self._enqueue(encode(message))

    def close(self, code=CLOSE_NORMAL, reason=""):
        """Send what is queued (unless the queue is full: the client is too slow for it), then close."""
        self._finish(_Close(code, reason), discard_pending=False)

    def closed_by(self, code, reason):
        """Note how the socket closed (the first close counts: ours, or the peer's)."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason

    def wait_closed(self, timeout) -> bool:
        """Wait until the writer is done: the close is sent, or the socket failed; True if it is."""
        self._writer.join(timeout)
        return not self._writer.is_alive()

    def _enqueue(self, text):
        with self._lock:
            if self.closed:
                return False
            try:
                self._queue.put_nowait(text)
                return True
            except queue.Full:
                pass
        log.warning("closing a socket whose %d queued messages were not sent in time", self._queue.maxsize)
        self._finish(_Close(CLOSE_TOO_SLOW, "too slow"), discard_pending=True)
        return False

    def _finish(self, close, discard_pending):
        with self._lock:
            if self.closed:
                return
            self.closed = True
            if discard_pending or self._queue.full():
                self._discard_pending()
            self._queue.put_nowait(close)
        self._on_closed(self)
        # The peer has this long to take what is queued and answer the close. One that stopped reading
        # never does, and only cutting the connection frees its writer and its handler.
        cut = threading.Timer(self._close_timeout, self._transport.abort)
        cut.daemon = True
        cut.start()

    def _discard_pending(self):
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                return

    def _write(self):
        while True:
            item = self._queue.get()
            if isinstance(item, _Close):
                self._close_transport(item)
                return
            try:
                self._transport.send(item)
                self.sent += 1
            except Exception as exc:
                # The peer is gone (or the socket was aborted): nothing more can be written.
                log.info("socket send failed, closing: %r", exc)
                self._mark_closed()
                return

    def _close_transport(self, close):
        self.closed_by(close.code, close.reason)
        try:
            self._transport.close(close.code, close.reason)
        except Exception as exc:
            log.debug("socket already closed: %r", exc)

    def _mark_closed(self):
        with self._lock:
            if self.closed:
                return
            self.closed = True
        self._on_closed(self)


class Hub:
    """Rooms of connections in this worker. `broadcast` serializes once and only enqueues."""

    def __init__(self, *, queue_size=256, close_timeout=5.0):
        self._queue_size = queue_size
        self._close_timeout = close_timeout
        self._lock = threading.Lock()
        self._rooms = {}
        self._memberships = {}

    def connect(self, transport, queue_size=None) -> Connection:
        """A Connection for `transport` (with its own queue size, or the hub's), in no room yet; it leaves
        every room when it closes."""
        connection = Connection(transport, queue_size=queue_size or self._queue_size,
                                close_timeout=self._close_timeout, on_closed=self._discard)
        with self._lock:
            self._memberships[connection] = set()
        return connection

    def join(self, room: str, connection: Connection) -> None:
        with self._lock:
            if connection not in self._memberships:
                return
            self._memberships[connection].add(room)
            self._rooms.setdefault(room, set()).add(connection)

    def leave(self, room: str, connection: Connection) -> None:
        with self._lock:
            self._memberships.get(connection, set()).discard(room)
            self._leave_room(room, connection)

    def members(self, room: str) -> set:
        with self._lock:
            return set(self._rooms.get(room, ()))

    def broadcast(self, room: str, message: dict) -> int:
        """Queue `message` for every connection in `room`; returns how many took it."""
        text = encode(message)
        return sum(connection._enqueue(text) for connection in self.members(room))

    def close_all(self, code=CLOSE_GOING_AWAY, reason="server restarting") -> None:
        with self._lock:
            connections = list(self._memberships)
        for connection in connections:
            connection.close(code, reason)

    def _discard(self, connection):
        with self._lock:
            for room in self._memberships.pop(connection, ()):
                self._leave_room(room, connection)

    def _leave_room(self, room, connection):
        members = self._rooms.get(room)
        if members is not None:
            members.discard(connection)
            if not members:
                del self._rooms[room]
