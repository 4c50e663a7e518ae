"""Values read at scrape time, not counted on every event: the grade outbox, the sweeper, the connection pool.
Each is one indexed read: pending outbox rows through ix_grade_outbox_due (status first), the oldest open
deadline through the index on attempts.check_at (set only while an attempt is open and running)."""

import logging

from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from lti_tool.db import UNAVAILABLE, db, first_line, utcnow
from lti_tool.exam.models import Attempt, GradeOutbox

log = logging.getLogger(__name__)


class DatabaseCollector:
    def collect(self):
        pool = db.engine.pool
        if hasattr(pool, "checkedout"):
            yield GaugeMetricFamily("proctor_lti_db_pool_checked_out_connections",
                                    "Database connections in use in the process that answered this scrape.",
                                    value=pool.checkedout())
        now = utcnow()
        try:
            backlog, oldest = db.session.execute(
                select(func.count(), func.min(GradeOutbox.created_at)).where(GradeOutbox.status == "pending")).one()
            overdue = db.session.scalar(select(func.min(Attempt.check_at)).where(Attempt.check_at <= now))
        except UNAVAILABLE as exc:
            # The workers' own metrics matter most while the database is down: serve them, without these.
            log.warning("metrics: the database values are left out, the database is unavailable: %s", first_line(exc))
            db.session.rollback()
            return
        db.session.rollback()
        yield GaugeMetricFamily("proctor_lti_grade_outbox_pending", "Grades waiting to reach the LMS.", value=backlog)
        yield GaugeMetricFamily("proctor_lti_grade_outbox_oldest_pending_age_seconds",
                                "Age of the oldest grade still waiting (0 when none).", value=_age(oldest, now))
        yield GaugeMetricFamily("proctor_lti_sweeper_lag_seconds",
                                "How long the oldest attempt past its deadline has stayed open (0 when none).",
                                value=_age(overdue, now))


def _age(moment, now):
    return (now - moment).total_seconds() if moment is not None else 0.0
