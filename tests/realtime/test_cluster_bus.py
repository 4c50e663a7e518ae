"""The bus on a Redis Cluster (tests/redis_cluster.py, three masters): sharded pub/sub per channel, an exam's
channels on one shard, and a master's restart, after which the bus subscribes again and reports the gap."""

import queue
import subprocess
import sys

import pytest
from redis.crc import key_slot

from lti_tool import create_app
from lti_tool.config import ConfigError
from lti_tool.realtime import channels
from lti_tool.realtime.bus import RedisBus, RedisClusterBus, make_bus, shard_channel
from tests.conftest import need_redis_server
from tests.metrics.conftest import sample
from tests.realtime.test_bus import ROOT, WAIT, collect
from tests.redis_cluster import RedisCluster
from tests.servers import free_port


@pytest.fixture
def cluster_bus(redis_cluster, channel_prefix):
    """make(url=...) -> a RedisClusterBus on this test's channels (fast backoff, short polls), closed after."""
    buses = []

    def make(url=redis_cluster.url):
        bus = RedisClusterBus(url, prefix=channel_prefix, poll_interval=0.05, backoff_base=0.05, backoff_cap=0.5)
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        bus.close()


def gaps_of(bus):
    gaps = queue.Queue()
    bus.on_gap(lambda: gaps.put("gap"))
    return gaps


def test_redis_cluster_setting_makes_a_cluster_bus(realtime_app, monkeypatch):
    assert type(make_bus({"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_CLUSTER": False})) is RedisBus
    bus = make_bus({"REDIS_URL": "redis://127.0.0.1:7000/0", "REDIS_CLUSTER": True})
    assert isinstance(bus, RedisClusterBus)
    bus.close()
    monkeypatch.setenv("REDIS_CLUSTER", "yes")
    assert create_app({"APP_ENV": "test"}).config["REDIS_CLUSTER"] is True
    monkeypatch.setenv("REDIS_CLUSTER", "maybe")
    with pytest.raises(ConfigError, match="REDIS_CLUSTER"):
        create_app({"APP_ENV": "test"})


def test_an_exams_channels_share_a_shard_and_exams_spread_over_the_shards(cluster_bus, redis_cluster):
    bus = cluster_bus()
    for exam_id in (1, 12, 345):
        assert (redis_cluster.node_of(bus._shard_name(channels.exam(exam_id)))
                is redis_cluster.node_of(bus._shard_name(channels.exam_students(exam_id))))
    shards = {redis_cluster.node_of(bus._shard_name(channels.exam(exam_id))).port for exam_id in range(20)}
    assert len(shards) == 3


def test_every_kind_of_channel_reaches_only_its_subscribers_across_buses(cluster_bus):
    sender, receiver = cluster_bus(), cluster_bus()
    gaps = gaps_of(receiver)
    names = [channels.exam(1), channels.exam_students(1), channels.attempt(9), channels.access()]
    received = {name: collect(receiver, name) for name in names}
    other = collect(receiver, channels.exam(2))
    assert gaps.get(timeout=WAIT)
    receiver.unsubscribe(channels.exam(2), other.put)
    for name in names + [channels.exam(2)]:
        for n in range(50):
            assert sender.publish(name, {"channel": name, "n": n}) is True
    for name in names:
        assert [received[name].get(timeout=WAIT) for _ in range(50)] == [{"channel": name, "n": n} for n in range(50)]
        assert received[name].empty()
    assert other.empty()
    assert gaps.empty()  # subscribing to more channels is no gap


def test_a_subscribe_is_in_effect_when_it_returns(cluster_bus):
    sender, receiver = cluster_bus(), cluster_bus()
    gaps = gaps_of(receiver)
    collect(receiver, channels.exam(1))
    assert gaps.get(timeout=WAIT)
    for exam_id in range(2, 12):
        received = collect(receiver, channels.exam(exam_id))
        sender.publish(channels.exam(exam_id), {"n": exam_id})
        assert received.get(timeout=WAIT) == {"n": exam_id}


def test_a_publish_reaches_a_subscriber_in_another_process(cluster_bus, redis_cluster, channel_prefix):
    bus = cluster_bus()
    gaps = gaps_of(bus)
    received = collect(bus, "exam:7")
    assert gaps.get(timeout=WAIT)
    publisher = (
        "from lti_tool.realtime.bus import make_bus\n"
        f"bus = make_bus({{'REDIS_URL': {redis_cluster.url!r}, 'REDIS_CLUSTER': True}})\n"
        f"bus._prefix = {channel_prefix!r}\n"
        "for n in range(3):\n"
        "    assert bus.publish('exam:7', {'n': n})\n"
        "bus.close()\n"
    )
    subprocess.run([sys.executable, "-c", publisher], cwd=ROOT, check=True, timeout=60)
    assert [received.get(timeout=WAIT) for _ in range(3)] == [{"n": n} for n in range(3)]


def test_after_a_master_restarts_the_bus_resubscribes_reports_the_gap_and_messages_flow(cluster_bus, redis_cluster):
    bus, sender = cluster_bus(), cluster_bus()
    gaps = gaps_of(bus)
    received = collect(bus, channels.exam(1))
    assert gaps.get(timeout=WAIT)
    node = redis_cluster.node_of(bus._shard_name(channels.exam(1)))
    reconnects = sample("proctor_lti_bus_reconnects_total")

    node.stop()
    assert sender.publish(channels.exam(1), {"n": 1}) is False
    assert sender.publish_failures == 1
    node.start()
    redis_cluster.wait_ok()

    assert gaps.get(timeout=WAIT)
    assert sample("proctor_lti_bus_reconnects_total") > reconnects
    assert sender.publish(channels.exam(1), {"n": 2}) is True
    assert received.get(timeout=WAIT) == {"n": 2}
    assert received.empty()


def test_after_a_master_fails_over_to_its_replica_the_bus_follows_it(cluster_bus, channel_prefix, tmp_path):
    need_redis_server()
    cluster = RedisCluster(tmp_path)
    try:
        master = cluster.node_of(shard_channel(channel_prefix, channels.exam(1)))
        replica = cluster.add_replica(master)
        bus, sender = cluster_bus(url=cluster.url), cluster_bus(url=cluster.url)
        gaps = gaps_of(bus)
        received = collect(bus, channels.exam(1))
        assert gaps.get(timeout=WAIT)
        assert sender.publish(channels.exam(1), {"n": 1}) is True
        assert received.get(timeout=WAIT) == {"n": 1}

        master.stop()  # for good: the replica takes its slots after cluster-node-timeout (2 s)
        assert gaps.get(timeout=6 * WAIT)
        assert cluster.node_of(shard_channel(channel_prefix, channels.exam(1))) is replica
        assert sender.publish(channels.exam(1), {"n": 2}) is True
        assert received.get(timeout=WAIT) == {"n": 2}
    finally:
        cluster.stop()


def test_when_redis_moves_a_channels_slot_to_another_master_the_bus_follows_it(cluster_bus, redis_cluster,
                                                                               channel_prefix):
    bus, sender = cluster_bus(), cluster_bus()
    gaps = gaps_of(bus)
    name = shard_channel(channel_prefix, channels.exam(1))
    received = collect(bus, channels.exam(1))
    assert gaps.get(timeout=WAIT)
    owner = redis_cluster.node_of(name)
    target = next(node for node in redis_cluster.nodes if node is not owner)
    with target.client() as client:
        target_id = client.execute_command("CLUSTER", "MYID").decode()
    for node in [target, owner] + [node for node in redis_cluster.nodes if node not in (target, owner)]:
        with node.client() as client:
            client.execute_command("CLUSTER", "SETSLOT", key_slot(name.encode()), "NODE", target_id)

    assert gaps.get(timeout=WAIT)  # the old owner said SUNSUBSCRIBE: the bus read the topology again
    assert redis_cluster.node_of(name) is target
    assert sender.publish(channels.exam(1), {"n": 1}) is True
    assert received.get(timeout=WAIT) == {"n": 1}


def test_publishing_without_a_cluster_returns_false_and_counts_instead_of_raising(cluster_bus, caplog):
    bus = cluster_bus(url=f"redis://127.0.0.1:{free_port()}/0")
    assert bus.publish("exam:1", {"n": 1}) is False
    assert bus.publish("exam:1", {"n": 2}) is False
    assert bus.publish_failures == 2
    assert "publish to exam:1 failed" in caplog.text
