"""Fixtures for the real-time tests: the Redis every machine of this kind runs, and buses on it that
see only their own test's channels."""

import uuid

import pytest

from lti_tool import create_app
from lti_tool.realtime.bus import RedisBus


@pytest.fixture
def realtime_app(request, tmp_path, monkeypatch):
    """The tool as configured for tests, with no Redis, plus any config an indirect parameter gives;
    the real-time code never touches its database."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    return create_app({"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{tmp_path / 'tool.sqlite3'}",
                       **getattr(request, "param", {})})


@pytest.fixture
def channel_prefix():
    """This test's own channels: other tests and other runs on the same Redis never see them."""
    return f"test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def redis_bus(redis_url, channel_prefix):
    """make(url=..., client_name=...) -> a RedisBus on this test's channels (fast backoff, short polls);
    every bus is closed after the test. A client name lets a test find the bus's connections."""
    buses = []

    def make(url=redis_url, client_name=None):
        if client_name:
            url = f"{url}?client_name={client_name}"
        bus = RedisBus(url, prefix=channel_prefix, poll_interval=0.05, backoff_base=0.05, backoff_cap=0.5)
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        bus.close()
