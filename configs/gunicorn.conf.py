"""gunicorn settings: one gevent worker holds thousands of websockets."""

import os

bind = os.environ.get("BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
worker_class = "gevent"
# Every open websocket is a connection; the gevent default (1000) is too low.
worker_connections = 4000
# A recycled worker drops every socket it holds, so never recycle.
max_requests = 0
control_socket_disable = True
timeout = 30
# Students' pages save answers every few seconds; keep their connections instead of re-opening them.
keepalive = 75
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
