"""A small websocket client on wsproto for the client process (gevent): JSON messages in and out, a
connect and handshake that cannot hang, the close code the server sent (1006 when the connection just
ended), and an optional tiny receive buffer for a client that stops reading."""

import json
import socket
import threading
from collections import deque

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

ABNORMAL = 1006


class Closed(Exception):
    """The socket is over; `code` is the server's close code, or 1006 if the connection just ended."""

    def __init__(self, code, reason=""):
        super().__init__(f"closed {code} {reason}".strip())
        self.code = code
        self.reason = reason


class WebSocket:
    def __init__(self, host, port, path, *, timeout=5.0, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            # Before connect, so the window the server sees is small from the start.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self._ws = WSConnection(ConnectionType.CLIENT)
        self._write_lock = threading.Lock()
        self._messages = deque()
        self._partial = []
        self.bytes_received = 0
        try:
            self.sock.connect((host, port))
            self.sock.sendall(self._ws.send(Request(host=f"{host}:{port}", target=path)))
            while True:
                event = self._next_event()
                if isinstance(event, AcceptConnection):
                    break
                if isinstance(event, RejectConnection):
                    raise Closed(ABNORMAL, f"handshake refused ({event.status_code})")
        except BaseException:
            self.sock.close()
            raise
        self.sock.settimeout(None)

    def send(self, message):
        data = self._ws.send(TextMessage(data=json.dumps(message)))
        with self._write_lock:
            try:
                self.sock.sendall(data)
            except OSError as exc:
                raise Closed(ABNORMAL, repr(exc)) from None

    def receive(self, timeout):
        """The next message (a dict), or None if none came within `timeout` seconds; raises Closed."""
        if self._messages:
            return self._messages.popleft()
        self.sock.settimeout(timeout)
        try:
            while not self._messages:
                self._next_event()
        except TimeoutError:
            return None
        return self._messages.popleft()

    def _next_event(self):
        """Handle what has arrived; returns the handshake's event, or None after reading a chunk."""
        for event in self._ws.events():
            if isinstance(event, AcceptConnection | RejectConnection):
                return event
            if isinstance(event, TextMessage):
                self._partial.append(event.data)
                if event.message_finished:
                    self._messages.append(json.loads("".join(self._partial)))
                    self._partial = []
            elif isinstance(event, Ping):
                self._write(self._ws.send(event.response()))
            elif isinstance(event, CloseConnection):
                try:
                    self._write(self._ws.send(event.response()))
                except Exception:  # noqa: BLE001  (the peer may be gone already)
                    pass
                self.abort()
                raise Closed(event.code, event.reason or "")
        if self._messages:
            return None
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            raise
        except OSError as exc:
            self.abort()
            raise Closed(ABNORMAL, repr(exc)) from None
        if not data:
            self.abort()
            raise Closed(ABNORMAL, "connection ended")
        self.bytes_received += len(data)
        self._ws.receive_data(data)
        return None

    def _write(self, data):
        with self._write_lock:
            self.sock.sendall(data)

    def close(self):
        try:
            self._write(self._ws.send(CloseConnection(code=1000)))
        except Exception:  # noqa: BLE001
            pass
        self.abort()

    def abort(self):
        try:
            self.sock.close()
        except OSError:
            pass
