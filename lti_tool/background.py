"""Jobs every worker runs on a timer: the sweeper that ends overdue attempts, the sender that delivers
queued grades, and the deletion of camera evidence past its retention. Under gunicorn + gevent the threads
are greenlets (wsgi.py patches first)."""

import logging
import threading
import time
from collections import Counter

from lti_tool.db import db
from lti_tool.exam import attempts
from lti_tool.launch import passback
from lti_tool.proctor.camera import retention

log = logging.getLogger(__name__)


def _sweep(app):
    """Full batches back to back, so a deadline rush is not spread over one batch per tick."""
    total = 0
    while True:
        ended = attempts.finalize_due(grace_seconds=app.config["ANSWER_GRACE_SECONDS"])
        total += ended
        if ended < attempts.SWEEP_BATCH:
            return total


def _send_grades(app):
    """Full batches back to back while the LMS takes them: a deadline rush queues a grade per student at once.
    A batch of which the LMS took none waits for the next tick (its rows' backoff decides when)."""
    totals = Counter()
    while True:
        counts = passback.send_due(limit=passback.BATCH)
        totals.update(counts)
        if counts["claimed"] < passback.BATCH or counts["sent"] == 0:
            return dict(totals)


def _delete_expired_evidence(app):
    return retention.delete_expired(app.config["SNAPSHOT_DIR"])


JOBS = (
    ("sweeper", "SWEEP_INTERVAL_SECONDS", _sweep),
    ("grade sender", "PASSBACK_INTERVAL_SECONDS", _send_grades),
    ("evidence retention", "RETENTION_INTERVAL_SECONDS", _delete_expired_evidence),
)


def start(app, stop=None):
    """Start every job on its own thread (greenlet); returns the event that stops them."""
    stop = stop or threading.Event()
    if not app.config["BACKGROUND_JOBS"]:
        return stop
    ticks = last_ticks(app)
    for name, interval_key, job in JOBS:
        ticks[name] = time.monotonic()
        thread = threading.Thread(target=_run, args=(app, name, app.config[interval_key], job, stop),
                                  name=name, daemon=True)
        thread.start()
    return stop


def _run(app, name, interval, job, stop):
    while not stop.is_set():
        with app.app_context():
            try:
                job(app)
            except Exception:
                # A job must outlive a database restart or an LMS outage: log, and try again next tick.
                log.exception("background job %s failed; retrying in %ss", name, interval)
                db.session.rollback()
            finally:
                db.session.remove()
        last_ticks(app)[name] = time.monotonic()
        stop.wait(interval)


def last_ticks(app):
    """When each job of this process last finished a run (time.monotonic()), by name; /readyz reads it."""
    return app.extensions.setdefault("background_ticks", {})
