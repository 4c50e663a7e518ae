"""Fixtures for the launch package's tests (on top of tests/conftest.py)."""

import pytest

from lti_tool.launch import connections
from tests.hostile_http import HostileServer


@pytest.fixture
def hostile():
    """An HTTP server on loopback that answers as an attacker would (tests/hostile_http.py)."""
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
