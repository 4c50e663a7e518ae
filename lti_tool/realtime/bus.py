"""The bus: events between the workers. In-process when there is one worker, Redis pub/sub when
REDIS_URL is set, sharded pub/sub when it names a Redis Cluster (REDIS_CLUSTER). Pub/sub is at-most-once, so
the database stays the record: write there first, publish second, and resend state from it when `on_gap` says
messages may have been missed."""

import json
import logging
import random
import threading
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.cluster import RedisCluster
from redis.crc import key_slot
from redis.exceptions import RedisClusterException
from redis.retry import Retry
from redis.sentinel import Sentinel

from lti_tool.metrics import events as metrics

log = logging.getLogger(__name__)

# Every channel on Redis starts with this, so the tool can share a Redis with others.
PREFIX = "proctor:"
# What a lost, refused or unready Redis raises (a cluster client's own error is no RedisError).
REDIS_ERRORS = (redis.RedisError, RedisClusterException)


def make_bus(config):
    """A RedisBus when REDIS_URL is set (through Sentinel with REDIS_SENTINEL; a RedisClusterBus when REDIS_CLUSTER
    says it is a cluster), otherwise an InProcessBus."""
    url = config.get("REDIS_URL")
    if not url:
        return InProcessBus()
    if config.get("REDIS_CLUSTER"):
        return RedisClusterBus(url)
    return RedisBus(url, sentinel_master=config.get("REDIS_SENTINEL"))


def redis_client(url, sentinel_master=None, **options):
    """A client of the Redis at `url`; with `sentinel_master`, `url` names the Sentinels instead
    (redis://host:26379,host:26379/0, the password and database being the master's), and each new connection goes
    to the master they name then, so a failover is followed at the next reconnect."""
    if not sentinel_master:
        return redis.Redis.from_url(url, **options)
    parts = urlsplit(url)
    sentinels = []
    for address in parts.netloc.rpartition("@")[2].split(","):
        host, _, port = address.rpartition(":")
        sentinels.append((host, int(port)))
    sentinel = Sentinel(sentinels, **{name: value for name, value in options.items() if name.startswith("socket_")})
    return sentinel.master_for(sentinel_master, db=int(parts.path.strip("/") or 0), username=parts.username,
                               password=parts.password, **options)


def encode(message):
    return json.dumps(message, separators=(",", ":"))


class Bus:
    """Callbacks by channel. Subclasses decide how a publish reaches them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._callbacks = {}
        self._gap_callbacks = []
        self.publish_failures = 0

    def publish(self, channel: str, message: dict) -> bool:
        """Send `message` to every subscriber of `channel`, in every worker; False if it could not be sent."""
        raise NotImplementedError

    def subscribe(self, channel: str, callback) -> None:
        """Call `callback(message)` for each message on `channel` from now on."""
        with self._lock:
            self._callbacks.setdefault(channel, []).append(callback)

    def unsubscribe(self, channel: str, callback) -> None:
        with self._lock:
            callbacks = self._callbacks.get(channel, [])
            if callback in callbacks:
                callbacks.remove(callback)
            if not callbacks:
                self._callbacks.pop(channel, None)

    def on_gap(self, callback) -> None:
        """Call `callback()` whenever messages may have been missed, so owners resend state from the
        database: with Redis, each time the listener has (re)subscribed, the first time included."""
        with self._lock:
            self._gap_callbacks.append(callback)

    def close(self) -> None:
        """Stop whatever the bus runs in the background."""

    def _deliver(self, channel, message):
        with self._lock:
            callbacks = list(self._callbacks.get(channel, ()))
        for callback in callbacks:
            try:
                callback(message)
            except Exception:
                log.exception("bus subscriber of %s failed", channel)

    def _gap(self):
        with self._lock:
            callbacks = list(self._gap_callbacks)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("bus gap callback failed")


class InProcessBus(Bus):
    """One worker: a publish calls the subscribers at once. Nothing is ever missed, so no gap."""

    def publish(self, channel, message):
        # A round trip through JSON, so a message that Redis could not carry fails here too.
        self._deliver(channel, json.loads(encode(message)))
        return True


class RedisBus(Bus):
    """Redis pub/sub. One listener thread per process (a greenlet under gevent) holds a pattern
    subscription to every channel under `prefix`, so subscribing is local and takes effect at once."""

    def __init__(self, url, *, sentinel_master=None, prefix=PREFIX, poll_interval=1.0, backoff_base=0.1,
                 backoff_cap=10.0, rng=None):
        super().__init__()
        self._redis = self._connect(url, sentinel_master)
        self._prefix = prefix
        self._poll_interval = poll_interval
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._listener = None
        self._failures = 0

    def _connect(self, url, sentinel_master):
        # No retries inside redis-py: a publish fails fast, and the listener owns reconnecting.
        return redis_client(url, sentinel_master, retry=Retry(NoBackoff(), 0), socket_connect_timeout=2,
                            socket_timeout=2, health_check_interval=25)

    def publish(self, channel, message):
        data = encode(message)
        try:
            self._redis.publish(self._prefix + channel, data)
        except redis.RedisError as exc:
            with self._lock:
                self.publish_failures += 1
            log.warning("bus: publish to %s failed (%d failures so far): %s", channel, self.publish_failures, exc)
            return False
        return True

    def subscribe(self, channel, callback):
        super().subscribe(channel, callback)
        self._start_listener()

    def close(self):
        self._stop.set()
        if self._listener:
            self._listener.join()
        if self._redis is not None:
            self._redis.close()

    def _start_listener(self):
        # Started on the first subscribe, so it runs in the worker that serves the sockets, never in a
        # process that forks workers afterwards.
        with self._lock:
            if self._listener or self._stop.is_set():
                return
            self._listener = threading.Thread(target=self._listen, name="bus listener", daemon=True)
        self._listener.start()

    def _listen(self):
        while not self._stop.is_set():
            try:
                self._listen_once()
            except REDIS_ERRORS as exc:
                log.warning("bus: lost the Redis subscription: %s", exc)
            except Exception:
                log.exception("bus: the listener failed")
            if self._stop.is_set():
                return
            metrics.bus_reconnect()
            delay = self._backoff(self._failures)
            self._failures += 1
            log.warning("bus: resubscribing in %.2fs", delay)
            self._stop.wait(delay)

    def _listen_once(self):
        pubsub = self._redis.pubsub()
        try:
            pubsub.psubscribe(self._prefix + "*")
            while not self._stop.is_set():
                item = pubsub.get_message(timeout=self._poll_interval)
                if item is None:
                    continue
                if item["type"] == "psubscribe":
                    # Subscribed (again): whatever was published before this moment may be lost.
                    log.info("bus: subscribed to %s*", self._prefix)
                    self._failures = 0
                    self._gap()
                elif item["type"] == "pmessage":
                    self._receive(item["channel"], item["data"])
        finally:
            pubsub.close()

    def _receive(self, raw_channel, data):
        channel = self._channel(raw_channel.decode())
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("bus: dropped a message on %s that is not JSON", channel)
            return
        self._deliver(channel, message)

    def _channel(self, name):
        return name[len(self._prefix):]

    def _backoff(self, failures):
        """Capped exponential backoff with jitter, so workers do not reconnect in step."""
        ceiling = min(self._backoff_cap, self._backoff_base * 2 ** min(failures, 30))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)


# How long a subscribe waits for Redis to confirm it; later, the listener's next resubscribe (and gap) covers it.
CONFIRM_SECONDS = 2.0


def shard_channel(prefix, channel):
    """The cluster's name for `channel`: its first two parts are the hash tag (exam:12:students ->
    prefix{exam:12}:students), so an exam's channels hash to one slot."""
    parts = channel.split(":", 2)
    return prefix + "{" + ":".join(parts[:2]) + "}" + "".join(":" + part for part in parts[2:])


class RedisClusterBus(RedisBus):
    """Sharded pub/sub on a Redis Cluster (SPUBLISH/SSUBSCRIBE, Redis 7). A channel is subscribed on the master
    that owns its hash slot, and only while a callback in this process wants it. The hash tag is the channel's
    first two parts, so an exam's room and its students' channel share a shard and exams spread over the shards.

    The listener reads the topology, opens a connection per master (each read by a thread of its own) and
    subscribes every wanted channel; when any of them fails, or Redis moves a slot away (a failover), it
    starts over from a fresh topology and reports the gap."""

    def __init__(self, url, **options):
        self._url = url
        self._client_lock = threading.Lock()
        super().__init__(url, **options)
        self._shards = {}  # slot -> _Shard, while the listener is subscribed
        self._confirmations = {}  # shard channel name -> threading.Event, set when Redis confirms the subscribe
        self._unsubscribing = {}  # shard channel name -> SUNSUBSCRIBEs we sent whose reply is not in yet

    def publish(self, channel, message):
        data = encode(message)
        try:
            self._cluster().spublish(self._shard_name(channel), data)
        except REDIS_ERRORS as exc:
            with self._lock:
                self.publish_failures += 1
            log.warning("bus: publish to %s failed (%d failures so far): %s", channel, self.publish_failures, exc)
            return False
        return True

    def subscribe(self, channel, callback):
        name = self._shard_name(channel)
        with self._lock:
            first = channel not in self._callbacks
            self._callbacks.setdefault(channel, []).append(callback)
            shard = self._shards.get(key_slot(name.encode())) if first else None
            confirmed = self._confirmations.setdefault(name, threading.Event()) if shard else None
        self._start_listener()
        if shard and shard.subscribe(name):
            # Wait for Redis to confirm, so a publish after this returns reaches us, as with one Redis.
            confirmed.wait(CONFIRM_SECONDS)

    def unsubscribe(self, channel, callback):
        name = self._shard_name(channel)
        with self._lock:
            callbacks = self._callbacks.get(channel, [])
            if callback in callbacks:
                callbacks.remove(callback)
            if callbacks or channel not in self._callbacks:
                return
            del self._callbacks[channel]
            self._confirmations.pop(name, None)
            shard = self._shards.get(key_slot(name.encode()))
            if shard:
                self._unsubscribing[name] = self._unsubscribing.get(name, 0) + 1
        if shard:
            shard.unsubscribe(name)

    def _connect(self, url, sentinel_master):
        return None  # made by _cluster() on first use: making it reads the topology, and Redis may be down then

    def _cluster(self):
        with self._client_lock:
            if self._redis is None:
                # One retry, cluster-wide: after a failover, the first try reaches the dead master, the
                # second the new one from a fresh topology.
                self._redis = RedisCluster.from_url(
                    self._url, retry=Retry(NoBackoff(), 1), socket_connect_timeout=2, socket_timeout=2,
                    health_check_interval=25,
                )
            return self._redis

    def _shard_name(self, channel):
        return shard_channel(self._prefix, channel)

    def _channel(self, name):
        return name[len(self._prefix):].replace("{", "", 1).replace("}", "", 1)

    def _listen_once(self):
        cluster = self._cluster()
        cluster.nodes_manager.initialize()  # a fresh topology: after a failover another node owns the slots
        failed = _Failure()
        shards = {node.name: _Shard(self, cluster.get_redis_connection(node), failed)
                  for node in cluster.get_primaries()}
        slots = {slot: shards[nodes[0].name] for slot, nodes in cluster.nodes_manager.slots_cache.items()}
        try:
            with self._lock:
                self._shards = slots
                self._unsubscribing.clear()
                wanted = {self._shard_name(channel): threading.Event() for channel in self._callbacks}
                self._confirmations = dict(wanted)
            for name in wanted:
                slots[key_slot(name.encode())].subscribe(name)
            for shard in shards.values():
                shard.start()
            if failed.is_set():
                raise redis.ConnectionError(failed.reason)
            if not all(confirmed.wait(CONFIRM_SECONDS) for confirmed in wanted.values()):
                raise redis.ConnectionError("Redis did not confirm the subscriptions")
            log.info("bus: subscribed to %d channels on %d shards", len(wanted), len(shards))
            self._failures = 0
            self._gap()
            while not self._stop.is_set():
                if failed.wait(self._poll_interval):
                    raise redis.ConnectionError(failed.reason)
        finally:
            with self._lock:
                self._shards = {}
            for shard in shards.values():
                shard.close()

    def _confirm(self, name):
        with self._lock:
            confirmed = self._confirmations.get(name)
        if confirmed:
            confirmed.set()

    def _unsubscribed(self, name):
        """True when the reply is to our own SUNSUBSCRIBE; False when Redis dropped a channel we still want."""
        with self._lock:
            pending = self._unsubscribing.get(name, 0)
            if pending:
                self._unsubscribing[name] = pending - 1
                return True
            return self._channel(name) not in self._callbacks


class _Shard:
    """One master's connection for sharded subscriptions and the thread that reads it. Any failure sets
    `failed` (with its reason), and the listener starts over."""

    def __init__(self, bus, node_client, failed):
        self._bus = bus
        self._pubsub = node_client.pubsub()
        self._failed = failed
        self._thread = threading.Thread(target=self._read, name="bus shard reader", daemon=True)

    def start(self):
        self._thread.start()

    def subscribe(self, name):
        """False when the subscribe could not be sent (and the listener will start over)."""
        try:
            self._pubsub.ssubscribe(name)
        except REDIS_ERRORS as exc:
            self._fail(f"subscribing to {name} failed: {exc}")
            return False
        return True

    def unsubscribe(self, name):
        try:
            self._pubsub.sunsubscribe(name)
        except REDIS_ERRORS as exc:
            self._fail(f"unsubscribing from {name} failed: {exc}")

    def close(self):
        self._failed.fail("closed")
        if self._thread.ident is not None:
            self._thread.join()
        self._pubsub.close()

    def _read(self):
        while not self._failed.is_set():
            try:
                item = self._pubsub.get_message(timeout=self._bus._poll_interval)
            except REDIS_ERRORS as exc:
                self._fail(str(exc))
                return
            if item is None:
                continue
            name = item["channel"].decode()
            if item["type"] == "ssubscribe":
                self._bus._confirm(name)
            elif item["type"] == "smessage":
                self._bus._receive(item["channel"], item["data"])
            elif item["type"] == "sunsubscribe" and not self._bus._unsubscribed(name):
                self._fail(f"Redis moved {name} to another shard")

    def _fail(self, reason):
        self._failed.fail(reason)


class _Failure:
    """The first reason any shard of one subscription failed; waiting on it wakes at the first failure."""

    def __init__(self):
        self._event = threading.Event()
        self.reason = None

    def fail(self, reason):
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self):
        return self._event.is_set()

    def wait(self, timeout):
        return self._event.wait(timeout)
