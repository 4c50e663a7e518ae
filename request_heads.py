"""The tool's gunicorn worker: gevent's, with a deadline on every request head (request line and headers) and a
bound on the heads one address may have on the way.

A slow client (slowloris) opens connections and sends their heads a byte now and then: each one holds one of the
worker's `worker_connections` until the worker answers nobody. gunicorn 27 has no setting for this (its only
bound is keepalive, 75 s here, on the whole wait for a request), so the worker counts heads itself.

This module is kept out of lti_tool: gunicorn's master imports the worker class before gevent patches anything,
and lti_tool's imports must come after the patch (wsgi.py). It serves plain HTTP: TLS ends at the proxy.
"""

import time
from collections import Counter

import gevent
from gevent import socket
from gunicorn.workers.ggevent import GeventWorker


class RequestHeadWorker(GeventWorker):
    """configs/gunicorn.conf.py's post_worker_init gives it its settings (limit_request_heads)."""

    heads = None

    def limit_request_heads(self, timeout, per_address):
        self.heads = PendingHeads(timeout, per_address)

    def handle(self, listener, client, addr):
        address = addr[0] if isinstance(addr, tuple) else addr  # a Unix socket's peer has no address: ''
        if self.heads.full(address):
            self.log.debug("Closed a connection from %s: %d request heads from there are on the way",
                           address, self.heads.per_address)
            client.close()
            return
        connection = Connection(self.heads, address, client.detach())
        try:
            super().handle(listener, connection, addr)
        finally:
            connection.end_head()

    def handle_request(self, listener_name, req, sock, addr):
        sock.end_head()
        super().handle_request(listener_name, req, sock, addr)
        sock.await_next_head()


class PendingHeads:
    """The worker's connections whose request head is on the way, counted per peer address."""

    def __init__(self, timeout, per_address):
        self.timeout = timeout
        self.per_address = per_address
        self.count = Counter()

    def full(self, address):
        return self.count[address] >= self.per_address


class Connection(socket.socket):
    """A client connection that reads its request heads against the deadline: `timeout` seconds from the
    connection's start for the first head, and from the first byte of each next one (the wait for that byte is
    keep-alive's, which gunicorn bounds; the rest of a body the app did not read counts as that byte). A late
    head reads as the client's close. While a request is served, a websocket's included, reads are plain."""

    __slots__ = ("heads", "address", "deadline", "between_requests")

    def __init__(self, heads, address, fileno):
        super().__init__(fileno=fileno)
        self.heads = heads
        self.address = address
        self.between_requests = False
        self.deadline = None
        self.begin_head()

    def begin_head(self):
        self.heads.count[self.address] += 1
        self.deadline = time.monotonic() + self.heads.timeout

    def end_head(self):
        """The head is complete (reads are plain while the request is served), or the connection is over."""
        self.between_requests = False
        if self.deadline is None:
            return
        self.deadline = None
        self.heads.count[self.address] -= 1
        if not self.heads.count[self.address]:
            del self.heads.count[self.address]

    def await_next_head(self):
        self.between_requests = True

    def recv(self, *args):
        if self.deadline is None:
            data = super().recv(*args)
            if data and self.between_requests:
                self.between_requests = False
                self.begin_head()
            return data
        remaining = self.deadline - time.monotonic()
        if remaining > 0:
            with gevent.Timeout(remaining, False):
                return super().recv(*args)
        return b""
