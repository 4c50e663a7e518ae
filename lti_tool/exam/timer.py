"""The server's clock for attempts: deadlines, pauses, extensions, time left. Pure functions."""

from datetime import timedelta


def window_end(exam):
    """When the exam stops for everyone: its close time, or the moment it was closed early."""
    ends = [t for t in (exam.closes_at, exam.closed_at) if t is not None]
    return min(ends) if ends else None


def deadline_for(exam, started_at, *, extra_minutes=0, multiplier=1.0):
    """min(start + duration x multiplier + extra, window end): fixed when the attempt starts."""
    deadline = started_at + timedelta(minutes=exam.duration_minutes * multiplier + extra_minutes)
    end = window_end(exam)
    return min(deadline, end) if end is not None else deadline


def is_open(exam, now):
    """Whether attempts can be started now."""
    if exam.archived_at is not None or exam.closed_at is not None:
        return False
    if exam.opens_at is not None and now < exam.opens_at:
        return False
    end = window_end(exam)
    return end is None or now < end


def resumed_deadline(deadline, paused_at, now):
    """A pause stops the clock: the deadline moves by the time spent paused."""
    return deadline + (now - paused_at)


def seconds_left(attempt, now):
    """Whole seconds until the deadline (frozen while paused); never negative."""
    reference = attempt.paused_at or now
    return max(0, int((attempt.deadline - reference).total_seconds()))


def accepts_saves(attempt, now, grace_seconds):
    """Saves are accepted until the deadline plus a small grace for network latency."""
    return now <= attempt.deadline + timedelta(seconds=grace_seconds)
