"""Prometheus metrics: the metric objects (registry.py), the events that move them (http.py and one-line calls
where things happen), the values read from the database at scrape time (database.py), and /metrics (views.py).

Under gunicorn with several workers, configs/gunicorn.conf.py sets PROMETHEUS_MULTIPROC_DIR, where every worker
writes its values and /metrics sums them; without it (tests, `flask run`) the process's own registry is served."""

from lti_tool.metrics import http, views


def init_app(app):
    http.init_app(app)
    app.register_blueprint(views.bp)
