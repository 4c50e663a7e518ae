"""The bus: events between the workers. In-process when there is one worker, Redis pub/sub when
REDIS_URL is set. Pub/sub is at-most-once, so the database stays the record: write there first,
publish second, and resend state from it when `on_gap` says messages may have been missed."""

import json
import logging
import random
import threading

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from lti_tool.metrics import events as metrics

log = logging.getLogger(__name__)


def make_bus(config):
    """A RedisBus when REDIS_URL is set, otherwise an InProcessBus."""
    url = config.get("REDIS_URL")
    return RedisBus(url) if url else InProcessBus()


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

    def __init__(self, url, *, prefix="proctor:", poll_interval=1.0, backoff_base=0.1, backoff_cap=10.0,
                 rng=None):
        super().__init__()
        # No retries inside redis-py: a publish fails fast, and the listener owns reconnecting.
        self._redis = redis.Redis.from_url(
            url, retry=Retry(NoBackoff(), 0), socket_connect_timeout=2, socket_timeout=2,
            health_check_interval=25,
        )
        self._prefix = prefix
        self._poll_interval = poll_interval
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._listener = None
        self._failures = 0

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
            except redis.RedisError as exc:
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
        channel = raw_channel.decode()[len(self._prefix):]
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("bus: dropped a message on %s that is not JSON", channel)
            return
        self._deliver(channel, message)

    def _backoff(self, failures):
        """Capped exponential backoff with jitter, so workers do not reconnect in step."""
        ceiling = min(self._backoff_cap, self._backoff_base * 2 ** min(failures, 30))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)
