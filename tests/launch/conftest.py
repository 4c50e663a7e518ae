"""Fixtures for the launch package's tests (on top of tests/conftest.py)."""

import pytest

from tests.hostile_http import HostileServer


@pytest.fixture
def hostile():
    """An HTTP server on loopback that answers as an attacker would (tests/hostile_http.py)."""
    server = HostileServer()
    yield server
    server.close()
