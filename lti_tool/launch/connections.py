"""The connections under the outbound session (lti_tool/launch/http.py).

Each one resolves its host once, checks every address against lti_tool/launch/addresses.py and connects to
the address it checked, so a DNS answer that changes after the check (rebinding) and every redirect hop are
covered. Every wait on its socket (connect, send, each read of the head and the body) also ends at the request's
deadline: a per-read timeout alone lets a server that sends a byte at a time hold a request for ever.

The request under way is known through a context variable that the session sets around each request.
"""

import io
import socket
import time
from contextvars import ContextVar
from dataclasses import dataclass

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util.connection import create_connection

from lti_tool.launch import addresses


@dataclass(frozen=True)
class Bounds:
    """What the request under way may do: wait until `deadline` (time.monotonic()), and reach the public
    networks plus `allowed_networks`."""

    deadline: float
    allowed_networks: tuple

    def expired(self):
        return time.monotonic() >= self.deadline

    def clamp(self, timeout):
        """`timeout` (seconds, or None for none), shortened to what is left before the deadline."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)


current = ContextVar("outbound_request_bounds")


class _Guarded:
    """Mixed into urllib3's connections: checked addresses at connect, the deadline on every wait."""

    def _new_conn(self):
        bounds = current.get()
        try:
            allowed = addresses.resolve(self._dns_host, self.port, bounds.allowed_networks)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        failure = None
        for address in allowed:
            try:
                return create_connection((address, self.port), bounds.clamp(self.timeout),
                                         source_address=self.source_address, socket_options=self.socket_options)
            except OSError as exc:  # TimeoutError included; the next address may answer
                failure = exc
        if isinstance(failure, TimeoutError):
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from failure
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}") from failure

    def connect(self):
        super().connect()
        self.sock = _DeadlineSocket(self.sock)


class _DeadlineSocket:
    """A connected socket (plain or TLS) whose every send and receive waits at most until the deadline of the
    request under way, as well as at most its own timeout."""

    def __init__(self, sock):
        self._sock = sock
        self._timeout = sock.gettimeout()
        # As socket.socket does: http.client closes the connection while the response still reads from it.
        self._readers = 0
        self._closed = False

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def settimeout(self, timeout):
        self._timeout = timeout
        self._sock.settimeout(timeout)

    def gettimeout(self):
        return self._timeout

    def _arm(self):
        bounds = current.get(None)
        self._sock.settimeout(self._timeout if bounds is None else bounds.clamp(self._timeout))

    def recv(self, *args):
        self._arm()
        return self._sock.recv(*args)

    def recv_into(self, *args):
        self._arm()
        return self._sock.recv_into(*args)

    def send(self, *args):
        self._arm()
        return self._sock.send(*args)

    def sendall(self, *args):
        self._arm()
        return self._sock.sendall(*args)

    def makefile(self, mode="r", buffering=None, **kwargs):
        """http.client reads the response through makefile("rb"): make it read through this object."""
        if mode != "rb":
            raise ValueError(f"only binary reads go through the deadline, not {mode!r}")
        self._readers += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"), buffering or io.DEFAULT_BUFFER_SIZE)

    def _decref_socketios(self):  # called by SocketIO.close()
        self._readers -= 1
        if self._closed and self._readers <= 0:
            self._sock.close()

    def close(self):
        self._closed = True
        if self._readers <= 0:
            self._sock.close()


class GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


POOLS_BY_SCHEME = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}
