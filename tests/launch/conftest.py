"""Fixtures for the launch package's tests (on top of tests/conftest.py)."""

import socket

import pytest

from lti_tool.launch import connections
from tests.hostile_http import HostileServer

# The tool's receive buffer while it talks to the hostile server. Left to itself, Linux grows it up to
# net.ipv4.tcp_rmem's maximum (32 MiB on these machines) as the tool reads fast, and the server's count of bytes
# sent would include megabytes the kernel took in for a tool that never read them.
RECEIVE_BUFFER = 64 * 1024


@pytest.fixture
def hostile(monkeypatch):
    """An HTTP server on loopback that answers as an attacker would (tests/hostile_http.py); the tool's sockets get
    a fixed receive buffer, so what the server manages to send stays close to what the tool read."""
    real = connections.create_connection

    def small_buffer(address, *args, socket_options=None, **kwargs):
        options = [*(socket_options or ()), (socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)]
        return real(address, *args, socket_options=options, **kwargs)

    monkeypatch.setattr(connections, "create_connection", small_buffer)
    server = HostileServer()
    yield server
    server.close()


@pytest.fixture
def connects(monkeypatch):
    """Every address the tool connects to; any other than 127.0.0.1 fails the test before a packet is sent."""
    seen = []
    real = connections.create_connection

    def spy(address, *args, **kwargs):
        seen.append(address)
        assert address[0] == "127.0.0.1", f"the tool tried to connect to {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(connections, "create_connection", spy)
    return seen
