"""The bus through Redis Sentinel (tests/redis_sentinel.py: a master, a replica, one Sentinel): after a failover
the bus subscribes on the new master, reports the gap, and messages flow again; /readyz asks the master."""

import queue

import pytest

from lti_tool import create_app
from lti_tool.config import ConfigError
from lti_tool.realtime.bus import RedisBus, make_bus
from tests.conftest import need_redis_server
from tests.realtime.test_bus import WAIT, collect
from tests.redis_sentinel import MASTER_NAME, RedisSentinel


@pytest.fixture(scope="module")
def redis_sentinel(tmp_path_factory):
    need_redis_server()
    sentinel = RedisSentinel(tmp_path_factory.mktemp("redis-sentinel"))
    yield sentinel
    sentinel.stop()


def test_a_failover_moves_the_bus_to_the_new_master_and_reports_the_gap(redis_sentinel, channel_prefix):
    sentinel = redis_sentinel
    buses = [RedisBus(sentinel.url, sentinel_master=MASTER_NAME, prefix=channel_prefix, poll_interval=0.05,
                      backoff_base=0.05, backoff_cap=0.5) for _ in range(2)]
    bus, sender = buses
    try:
        gaps = queue.Queue()
        bus.on_gap(lambda: gaps.put("gap"))
        received = collect(bus, "exam:1")
        assert gaps.get(timeout=WAIT)
        assert sender.publish("exam:1", {"n": 1}) is True
        assert received.get(timeout=WAIT) == {"n": 1}

        sentinel.failover()
        assert sentinel.master_port() == sentinel.replica.port
        assert gaps.get(timeout=3 * WAIT)
        # The sender's connection was dropped too: its first publish may fail, and is counted; then it reconnects.
        published = [sender.publish("exam:1", {"n": n}) for n in (2, 3)]
        assert published[1] is True and sender.publish_failures == published.count(False)
        assert received.get(timeout=WAIT)["n"] in (2, 3)
        with sentinel.master.client() as old_master:
            assert old_master.info("replication")["role"] == "slave"
    finally:
        for each in buses:
            each.close()


def test_redis_sentinel_setting_makes_the_bus_and_readyz_ask_the_master(redis_sentinel):
    sentinel = redis_sentinel
    bus = make_bus({"REDIS_URL": sentinel.url, "REDIS_SENTINEL": MASTER_NAME})
    assert bus._redis.connection_pool.get_master_address()[1] == sentinel.master_port()
    bus.close()
    app = create_app({"APP_ENV": "test", "REDIS_URL": sentinel.url, "REDIS_SENTINEL": MASTER_NAME,
                      "BACKGROUND_JOBS": False})
    assert app.test_client().get("/readyz").json["checks"]["redis"]["ok"] is True
    app = create_app({"APP_ENV": "test", "REDIS_URL": sentinel.url, "REDIS_SENTINEL": "no-such-master",
                      "BACKGROUND_JOBS": False})
    assert app.test_client().get("/readyz").json["checks"]["redis"]["ok"] is False
    with pytest.raises(ConfigError, match="not both"):
        create_app({"APP_ENV": "test", "REDIS_URL": sentinel.url, "REDIS_SENTINEL": MASTER_NAME,
                    "REDIS_CLUSTER": True})
