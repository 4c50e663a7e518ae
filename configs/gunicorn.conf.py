"""gunicorn settings: one gevent worker holds thousands of websockets."""

import gc
import os
import signal
import tempfile
from pathlib import Path

import gevent

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
# gevent's worker, with a deadline on request heads and a bound on the heads one address has on the way.
worker_class = "request_heads.RequestHeadWorker"
# Every open websocket is a connection; the gevent default (1000) is too low. A worker holding more students'
# sockets needs it raised (with the open files limit, LimitNOFILE in deploy/systemd).
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "4000"))
# A recycled worker drops every socket it holds, so never recycle.
max_requests = 0
control_socket_disable = True
timeout = 30
# Students' pages save answers every few seconds; keep their connections instead of re-opening them.
keepalive = 75
# Slowloris: a request head (request line and headers) must be complete this many seconds after its connection
# opened, or after its first byte on a kept-alive connection, or the connection is closed. An honest head takes
# well under a second, on a slow school network a second or two.
REQUEST_HEAD_TIMEOUT = float(os.environ.get("REQUEST_HEAD_TIMEOUT", "10"))
# A new connection is closed at once while this many from its address are still sending their head (per worker).
# Only heads count: a school behind one address holds thousands of finished connections (websockets, keep-alive).
PENDING_HEADS_PER_ADDRESS = int(os.environ.get("PENDING_HEADS_PER_ADDRESS", "64"))
graceful_timeout = 20
# In json mode the app logs each request itself, with its route, user and request id (lti_tool/request_log.py);
# the default follows configs/<APP_ENV>.py's LOG_FORMAT.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("json" if os.environ.get("APP_ENV") == "production" else "text")
accesslog = None if LOG_FORMAT == "json" else "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# Each greenlet would keep the stack it was spawned from, for debugging: three greenlets per socket made
# that about 3 KB per socket (bench/README.md, section 3).
gevent.config.track_greenlet_tree = False

# Every worker writes its metrics to files in this directory and /metrics sums them (lti_tool/metrics). It starts
# empty at each start, so no earlier run's workers are counted; set before any worker imports prometheus_client.
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="proctor-metrics-")
METRICS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
METRICS_DIR.mkdir(parents=True, exist_ok=True)
for stale in METRICS_DIR.glob("*.db"):
    stale.unlink()


def post_worker_init(worker):
    worker.limit_request_heads(REQUEST_HEAD_TIMEOUT, PENDING_HEADS_PER_ADDRESS)

    # A full collection walks every object and pauses every socket of the worker (STACK.md: most of the
    # tail latency). The app's own objects live as long as the worker, so take them out of it; and collect
    # the youngest generation less often, so a broadcast's short-lived objects die before a collection
    # promotes them to the older generations (bench/README.md, section 3). The collector stays on.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)

    # A stop (SIGTERM: a deploy, a scale-down) makes gunicorn wait up to graceful_timeout for open connections,
    # and a websocket never ends by itself: its page saw the connection cut (1006) only when the wait ran out.
    # Close the sockets with 1001 as the stop begins, so every page reconnects at once, to a worker that stays.
    stop = worker.handle_exit

    def handle_exit(sig, frame):
        stop(sig, frame)
        gevent.spawn(_close_sockets, worker)

    signal.signal(signal.SIGTERM, handle_exit)


def child_exit(server, worker):
    # Only here, in the master: imported at the top, prometheus_client's locks would reach the workers unpatched.
    from prometheus_client import multiprocess

    # A dead worker's open sockets no longer count (the gauge is "livesum"); its counters stay in the sums.
    multiprocess.mark_process_dead(worker.pid, str(METRICS_DIR))


def worker_int(worker):
    # A quick stop (SIGINT, SIGQUIT): the worker exits 0.1 s after this hook, time enough for the close frames.
    _close_sockets(worker)


def _close_sockets(worker):
    from lti_tool.realtime import close_sockets  # in the worker only: the app's imports come after gevent's patch

    close_sockets(worker.wsgi)
