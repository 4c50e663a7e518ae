"""The bus: in-process delivery, and Redis pub/sub across buses, processes, a killed subscription and
a Redis restart."""

import queue
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis

from lti_tool.realtime.bus import InProcessBus, RedisBus, make_bus
from tests.conftest import need_redis_server
from tests.redis_cluster import RedisNode
from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
WAIT = 5


def collect(bus, channel):
    received = queue.Queue()
    bus.subscribe(channel, received.put)
    return received


def subscribed(bus):
    """An event set each time the bus (re)subscribes, registered before anything starts it."""
    event = threading.Event()
    bus.on_gap(event.set)
    return event


def test_make_bus_chooses_redis_only_when_redis_url_is_set():
    assert isinstance(make_bus({"REDIS_URL": None}), InProcessBus)
    bus = make_bus({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert isinstance(bus, RedisBus)
    bus.close()


def test_the_app_delivers_in_process_without_redis(realtime_app):
    bus = realtime_app.extensions["bus"]
    assert isinstance(bus, InProcessBus)
    received = collect(bus, "exam:1")
    bus.publish("exam:1", {"type": "status"})
    assert received.get_nowait() == {"type": "status"}


def test_in_process_bus_delivers_a_json_copy_to_each_subscriber_of_the_channel():
    bus = InProcessBus()
    first, second, other = collect(bus, "exam:1"), collect(bus, "exam:1"), collect(bus, "exam:2")
    assert bus.publish("exam:1", {"type": "status", "ids": (1, 2)}) is True
    assert first.get_nowait() == second.get_nowait() == {"type": "status", "ids": [1, 2]}
    assert other.empty()


def test_in_process_bus_refuses_what_redis_could_not_carry():
    with pytest.raises(TypeError):
        InProcessBus().publish("exam:1", {"at": object()})


def test_a_failing_subscriber_neither_reaches_the_publisher_nor_stops_the_others(caplog):
    bus = InProcessBus()

    def broken(message):
        raise RuntimeError("subscriber bug")

    bus.subscribe("exam:1", broken)
    received = collect(bus, "exam:1")
    assert bus.publish("exam:1", {"n": 1}) is True
    assert received.get_nowait() == {"n": 1}
    assert "subscriber of exam:1 failed" in caplog.text


def test_unsubscribed_callbacks_get_nothing_more():
    bus = InProcessBus()
    received = queue.Queue()
    bus.subscribe("exam:1", received.put)
    bus.unsubscribe("exam:1", received.put)
    bus.unsubscribe("exam:1", received.put)  # twice is harmless
    bus.publish("exam:1", {"n": 1})
    assert received.empty()


def test_backoff_grows_to_its_cap_with_jitter():
    bus = RedisBus("redis://127.0.0.1:6379/0", backoff_base=0.1, backoff_cap=10.0)
    delays = [bus._backoff(failures) for failures in range(2000)]
    assert 0.05 <= delays[0] <= 0.1
    assert all(5.0 <= delay <= 10.0 for delay in delays[10:])
    assert len(set(delays[10:20])) == 10
    bus.close()


def test_redis_bus_starts_its_listener_on_the_first_subscribe_and_stops_it_on_close(redis_bus):
    bus = redis_bus()
    bus.publish("exam:1", {"n": 1})
    assert bus._listener is None
    ready = subscribed(bus)
    bus.subscribe("exam:1", lambda message: None)
    assert ready.wait(WAIT)
    assert bus._listener.is_alive()
    bus.close()
    assert not bus._listener.is_alive()


def test_redis_bus_carries_messages_between_buses_in_order(redis_bus):
    sender, receiver = redis_bus(), redis_bus()
    ready = subscribed(receiver)
    received, other = collect(receiver, "exam:1"), collect(receiver, "exam:2")
    assert ready.wait(WAIT)
    for n in range(200):
        assert sender.publish("exam:1", {"type": "status", "n": n}) is True
    assert [received.get(timeout=WAIT)["n"] for _ in range(200)] == list(range(200))
    assert other.empty()


def test_a_publish_reaches_a_subscriber_in_another_process(redis_bus, redis_url, channel_prefix):
    bus = redis_bus()
    ready = subscribed(bus)
    received = collect(bus, "exam:7")
    assert ready.wait(WAIT)
    publisher = (
        "from lti_tool.realtime.bus import RedisBus\n"
        f"bus = RedisBus({redis_url!r}, prefix={channel_prefix!r})\n"
        "for n in range(3):\n"
        "    assert bus.publish('exam:7', {'type': 'violation', 'n': n})\n"
        "bus.close()\n"
    )
    subprocess.run([sys.executable, "-c", publisher], cwd=ROOT, check=True, timeout=60)
    assert [received.get(timeout=WAIT) for _ in range(3)] == [{"type": "violation", "n": n} for n in range(3)]


def test_after_its_connection_is_killed_the_listener_resubscribes_and_reports_the_gap(redis_bus, redis_url):
    name = f"bus-{uuid.uuid4().hex[:12]}"
    bus, sender = redis_bus(client_name=name), redis_bus()
    gaps = queue.Queue()
    bus.on_gap(lambda: gaps.put("gap"))
    received = collect(bus, "exam:1")
    assert gaps.get(timeout=WAIT)
    sender.publish("exam:1", {"n": 1})
    assert received.get(timeout=WAIT) == {"n": 1}

    admin = redis.Redis.from_url(redis_url)
    [listener] = [client for client in admin.client_list(_type="pubsub") if client["name"] == name]
    admin.client_kill_filter(_id=listener["id"])
    admin.close()

    assert gaps.get(timeout=WAIT)
    sender.publish("exam:1", {"n": 2})
    assert received.get(timeout=WAIT) == {"n": 2}


def test_publishing_without_redis_returns_false_and_counts_instead_of_raising(redis_bus, caplog):
    bus = redis_bus(url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    assert bus.publish("exam:1", {"n": 1}) is False
    assert bus.publish("exam:1", {"n": 2}) is False
    assert time.monotonic() - started < 2
    assert bus.publish_failures == 2
    assert "publish to exam:1 failed" in caplog.text


@pytest.fixture
def own_redis(tmp_path):
    """A throwaway redis-server on a free port: start() and stop() it as often as a test needs."""
    need_redis_server()
    server = RedisNode(free_port(), tmp_path)
    yield server
    server.stop()


def test_a_redis_restart_loses_publishes_while_down_then_the_bus_resubscribes(redis_bus, own_redis):
    own_redis.start()
    bus = redis_bus(url=f"redis://127.0.0.1:{own_redis.port}/0")
    gaps = queue.Queue()
    bus.on_gap(lambda: gaps.put("gap"))
    received = collect(bus, "exam:1")
    assert gaps.get(timeout=WAIT)

    own_redis.stop()
    assert bus.publish("exam:1", {"n": 1}) is False
    own_redis.start()

    assert gaps.get(timeout=WAIT)
    assert bus.publish("exam:1", {"n": 2}) is True
    assert received.get(timeout=WAIT) == {"n": 2}
    assert received.empty()
