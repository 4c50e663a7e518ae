"""The grade sender: claims due rows of the grade outbox and posts them to the LMS gradebooks over AGS.

Rows are grouped per platform so one access token serves many scores. A platform that is down for one
row is not called again for its other rows in the same run: they back off too, so an outage costs one
timeout per run instead of one per score, and the run ends well inside its claim.
"""

import logging
import time
from collections import defaultdict

from flask import current_app

from lti_tool.db import db, utcnow
from lti_tool.exam import outbox
from lti_tool.exam.models import Attempt
from lti_tool.identity.models import Course, ResourceLink, User
from lti_tool.launch import ags
from lti_tool.launch.models import Platform

log = logging.getLogger(__name__)

LINK_GONE_MESSAGE = ("The resource link this score was for no longer exists in the tool, so there is no "
                     "gradebook column to send it to.")
# Calls one row can make in the worst case: token, line item search and creation, score, one 401 retry.
CALLS_PER_ROW = 5


BATCH = 20  # scores claimed per run


def send_due(now=None, limit=BATCH, *, clock=time.monotonic):
    """Send up to `limit` due scores. Returns counts: claimed, sent, retrying, failed, skipped.

    `now` is the outbox's clock (a fixed time for tests); `clock` measures how long the run has taken,
    so that no row is sent after its claim has run out (another sender may have it by then)."""
    now = now or utcnow()
    started = clock()
    rows = outbox.claim_due(now=now, limit=limit)
    counts = {"claimed": len(rows), "sent": 0, "retrying": 0, "failed": 0, "skipped": 0}
    groups = defaultdict(list)
    for row in rows:
        target = _target(row)
        if isinstance(target, str):
            _fail(row, target, counts)
        else:
            groups[target[3].id].append((row, *target))
    budget = outbox.CLAIM_SECONDS - CALLS_PER_ROW * current_app.config["OUTBOUND_HTTP_TIMEOUT"]
    attempted = 0
    for items in groups.values():
        platform = items[0][4]
        down = None  # the LmsUnavailable that showed this platform is down in this run
        sent_before = counts["sent"]
        with ags.AgsClient(platform, now=now) as client:
            for row, attempt, link, user, _ in items:
                if attempted and clock() - started > budget:
                    # Sending now could outlast the claim; the row comes back when its claim ends.
                    counts["skipped"] += 1
                    log.info("grade outbox row %s: left for a later run (this run is near its claim's end)",
                             row.id)
                    continue
                if down is not None:
                    _retry(row, f"Not tried: the LMS was unavailable for another score in this run. {down}",
                           now, counts, platform)
                    continue
                attempted += 1
                down = _send(client, row, attempt, link, user, platform, now, counts)
        if counts["sent"] > sent_before:  # the platform took a score in this run
            moved = outbox.bring_forward(platform.id, now=now)
            if moved:
                log.info("LMS %s took a score: its %s scores backing off are due now", platform.issuer, moved)
    return counts


def _target(row):
    """(attempt, link, user, platform) for a row, or why it can never be sent."""
    link = db.session.get(ResourceLink, row.resource_link_id) if row.resource_link_id is not None else None
    if link is None:
        return LINK_GONE_MESSAGE
    if not link.lineitem_url and not link.lineitems_url:
        return ags.NO_AGS_MESSAGE
    attempt = db.session.get(Attempt, row.attempt_id)
    user = db.session.get(User, row.user_id)
    course = db.session.get(Course, link.course_id)
    platform = db.session.get(Platform, course.platform_id)
    if attempt is None or user is None or platform is None:
        return "The attempt, student or platform of this score no longer exists in the tool."
    return attempt, link, user, platform


def _send(client, row, attempt, link, user, platform, now, counts):
    """Send one row and record the outcome. Returns the LmsUnavailable error if the platform is down."""
    try:
        if not link.lineitem_url:
            ags_line_item = client.ensure_line_item(
                link, label=attempt.exam.title, score_maximum=row.score_maximum,
                resource_id=f"exam-{attempt.exam_id}",
            )
            log.info("resource link %s: grades go to line item %s", link.id, ags_line_item)
        client.post_score(link, user, score_given=row.score_given, score_maximum=row.score_maximum,
                          timestamp=row.timestamp)
    except ags.LmsUnavailable as exc:
        _retry(row, exc.message, now, counts, platform)
        return exc
    except ags.AgsError as exc:
        _fail(row, exc.message, counts, platform)
        return None
    except Exception as exc:  # a bug or the database: keep the row, and the other rows of the run, going
        log.exception("grade outbox row %s: unexpected error while sending", row.id)
        db.session.rollback()
        _retry(row, f"Unexpected error in the tool while sending ({type(exc).__name__}).", now, counts, platform)
        return None
    outbox.mark_sent(row, now=now)
    counts["sent"] += 1
    log.info("grade outbox row %s: sent to %s (attempt %s, user %s, %s/%s at %s, try %s)", row.id,
             platform.issuer, row.attempt_id, row.user_id, row.score_given, row.score_maximum,
             ags.iso_timestamp(row.timestamp), row.tries)
    return None


def _retry(row, message, now, counts, platform):
    outbox.retry_later(row, message, base_seconds=current_app.config["PASSBACK_BACKOFF_SECONDS"], now=now)
    counts["retrying"] += 1
    log.info("grade outbox row %s: LMS %s unavailable, try %s, next at %s: %s", row.id, platform.issuer,
             row.tries, row.next_try_at.isoformat(timespec="seconds"), message)


def _fail(row, message, counts, platform=None):
    outbox.mark_failed(row, message)
    counts["failed"] += 1
    log.info("grade outbox row %s: failed for good%s: %s", row.id,
             f" at {platform.issuer}" if platform else "", message)
