"""The background job runner: jobs survive their own failures and stop on request."""

import threading

from lti_tool import background


def test_a_failing_job_is_retried_on_the_next_tick(app):
    stop = threading.Event()
    calls = []

    def job(_app):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database restarting")
        stop.set()

    background._run(app, "test job", 0, job, stop)
    assert len(calls) == 2


def test_jobs_do_not_start_when_disabled(app):
    assert app.config["BACKGROUND_JOBS"] is False
    before = threading.active_count()
    background.start(app)
    assert threading.active_count() == before


def test_jobs_run_the_sweeper_the_grade_sender_and_the_evidence_retention(app):
    assert [name for name, _, _ in background.JOBS] == ["sweeper", "grade sender", "evidence retention"]
    assert background._sweep(app) == 0
    assert background._send_grades(app)["claimed"] == 0
    assert background._delete_expired_evidence(app) == 0


def test_a_sweep_takes_full_batches_back_to_back(app, monkeypatch):
    passes = iter([2, 2, 1])
    monkeypatch.setattr(background.attempts, "SWEEP_BATCH", 2)
    monkeypatch.setattr(background.attempts, "finalize_due", lambda **_: next(passes))
    assert background._sweep(app) == 5
    assert next(passes, "none left") == "none left"


def test_the_grade_sender_takes_full_batches_back_to_back_while_the_lms_takes_them(app, monkeypatch):
    runs = iter([{"claimed": 2, "sent": 2}, {"claimed": 2, "sent": 1, "retrying": 1}, {"claimed": 1, "sent": 1}])
    monkeypatch.setattr(background.passback, "BATCH", 2)
    monkeypatch.setattr(background.passback, "send_due", lambda limit: next(runs))
    assert background._send_grades(app) == {"claimed": 5, "sent": 4, "retrying": 1}
    assert next(runs, "none left") == "none left"


def test_a_full_batch_the_lms_took_none_of_waits_for_the_next_tick(app, monkeypatch):
    runs = iter([{"claimed": 2, "sent": 0, "retrying": 2}, {"claimed": 2, "sent": 2}])
    monkeypatch.setattr(background.passback, "BATCH", 2)
    monkeypatch.setattr(background.passback, "send_due", lambda limit: next(runs))
    assert background._send_grades(app) == {"claimed": 2, "sent": 0, "retrying": 2}
    assert next(runs) == {"claimed": 2, "sent": 2}
