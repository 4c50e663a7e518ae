"""The values read at scrape time follow the rows: the grade outbox's backlog and oldest age, the sweeper's lag."""

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from lti_tool.db import db, utcnow
from lti_tool.exam.models import Attempt, GradeOutbox
from tests.exam.test_attempts import start
from tests.metrics.test_views import values


def scrape(course):
    response = course.client.get("/metrics")
    assert response.status_code == 200
    return values(response)


def test_the_outbox_backlog_and_its_oldest_age_follow_the_pending_rows(course):
    assert scrape(course)["proctor_lti_grade_outbox_pending"] == 0
    assert scrape(course)["proctor_lti_grade_outbox_oldest_pending_age_seconds"] == 0
    exam = course.exam(questions=1)
    for sub in ("s1", "s2"):
        student = course.student(sub)
        course.call("POST", f"/api/attempts/{start(course, exam, student)['id']}/submit", student)
    db.session.execute(update(GradeOutbox).values(created_at=utcnow() - timedelta(seconds=120)))
    db.session.commit()
    scraped = scrape(course)
    assert scraped["proctor_lti_grade_outbox_pending"] == 2
    assert 120 <= scraped["proctor_lti_grade_outbox_oldest_pending_age_seconds"] < 150
    db.session.execute(update(GradeOutbox).values(status="sent"))
    db.session.commit()
    assert scrape(course)["proctor_lti_grade_outbox_pending"] == 0


def test_the_sweeper_lag_is_how_long_an_overdue_attempt_has_stayed_open(course):
    exam = course.exam(questions=1)
    attempt = start(course, exam, course.student())
    assert scrape(course)["proctor_lti_sweeper_lag_seconds"] == 0  # open, deadline ahead
    db.session.execute(update(Attempt).where(Attempt.id == attempt["id"])
                       .values(check_at=utcnow() - timedelta(seconds=30)))
    db.session.commit()
    assert 30 <= scrape(course)["proctor_lti_sweeper_lag_seconds"] < 60


def test_the_pool_in_use_is_reported_for_the_answering_process(course):
    assert scrape(course)["proctor_lti_db_pool_checked_out_connections"] >= 0


def test_without_the_database_the_workers_own_metrics_are_still_served(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", unreachable)
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "proctor_lti_http_requests_total" in text and "proctor_lti_grade_outbox_pending" not in text
