"""Snapshot mode: a small still from the student's camera every few seconds. The server decodes it (only a
real image is taken), re-encodes it as a JPEG without any metadata, and keeps it in the database or, with
SNAPSHOT_DIR set, as a file: dashboards see the latest, reviewers the history."""

import io
import os
from datetime import timedelta

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import undefer

from lti_tool.db import db, utcnow
from lti_tool.errors import AppError
from lti_tool.proctor.camera.models import Snapshot
from lti_tool.realtime import channels, on_commit

FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 4096 * 4096
FLAGS = {"no_face", "multiple_faces"}
KINDS = ("camera", "screen")
# The review's timeline shows every flagged still and at most one other per this many seconds.
TIMELINE_SPACING_SECONDS = 60


class SnapshotRefused(AppError):
    code = "snapshot_refused"
    title = "The picture was not kept"


def store(attempt, data, *, settings, max_bytes, directory, flag=None, kind="camera", now=None):
    """Check, clean and keep one still of `attempt` (of its camera or its shared screen); refused if it is not
    an image, too big or too soon."""
    now = now or utcnow()
    if kind not in KINDS:
        raise SnapshotRefused(f"kind is one of: {', '.join(KINDS)}.")
    if kind == "screen" and not settings.screen_share:
        raise SnapshotRefused("This exam does not share the screen.")
    if flag is not None and (flag not in FLAGS or kind != "camera"):
        raise SnapshotRefused(f"flag is one of: {', '.join(sorted(FLAGS))} (on camera pictures).")
    if not data:
        raise SnapshotRefused("Send the picture as the request body.")
    if len(data) > max_bytes:
        raise SnapshotRefused(f"A picture may be at most {max_bytes // 1024} KB.", hint="Send a smaller one.")
    _check_pace(attempt.id, kind, settings, now, flagged=flag is not None)
    jpeg, width, height = clean_jpeg(data, settings.snapshot_width)
    snapshot = Snapshot(exam_id=attempt.exam_id, attempt_id=attempt.id, taken_at=now, width=width, height=height,
                        size=len(jpeg), flag=flag, kind=kind, data=None if directory else jpeg)
    db.session.add(snapshot)
    db.session.flush()
    if directory:
        _write(directory, snapshot, jpeg)
    on_commit.publish(channels.exam(attempt.exam_id), {
        "type": "snapshot", "attempt_id": attempt.id, "snapshot_id": snapshot.id, "at": now.isoformat(),
        "flag": flag, "kind": kind})
    db.session.commit()
    return snapshot


def _check_pace(attempt_id, kind, settings, now, *, flagged):
    """At most one still of each kind per half interval (a flagged one, the face check's evidence, is always
    taken)."""
    if flagged:
        return
    latest = db.session.scalar(select(func.max(Snapshot.taken_at))
                               .where(Snapshot.attempt_id == attempt_id, Snapshot.kind == kind))
    if latest is not None and now - latest < timedelta(seconds=settings.snapshot_interval_seconds / 2):
        raise SnapshotRefused("Pictures are taken at a set pace; this one came too soon.")


def clean_jpeg(data, max_width):
    """(jpeg bytes, width, height) of the image in `data`, at most `max_width` wide, with no metadata."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in FORMATS:
                raise SnapshotRefused("Send a JPEG, PNG or WebP picture.")
            if probe.width * probe.height > MAX_PIXELS:
                raise SnapshotRefused("That picture is far too large.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = image.convert("RGB")
            if image.width > max_width:
                image.thumbnail((max_width, max_width * 4))
            out = io.BytesIO()
            # Saving from decoded pixels drops EXIF, GPS and every other block the upload carried.
            image.save(out, "JPEG", quality=80)
            return out.getvalue(), image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise SnapshotRefused("That is not a picture the tool can read.") from None


def latest_by_attempt(exam_id):
    """{attempt id: its latest camera snapshot} for the dashboard's tiles."""
    latest = (select(func.max(Snapshot.id)).where(Snapshot.exam_id == exam_id, Snapshot.kind == "camera")
              .group_by(Snapshot.attempt_id))
    return {s.attempt_id: s for s in db.session.scalars(select(Snapshot).where(Snapshot.id.in_(latest)))}


def of_attempt(attempt_id):
    return db.session.scalars(
        select(Snapshot).where(Snapshot.attempt_id == attempt_id).order_by(Snapshot.taken_at.desc())).all()


def for_timeline(attempt_id):
    """The attempt's stills for its review timeline, oldest first, kept to a bounded number: every flagged one,
    and of the others at most one of each kind per TIMELINE_SPACING_SECONDS."""
    rows = db.session.execute(select(Snapshot.id, Snapshot.taken_at, Snapshot.kind, Snapshot.flag)
                              .where(Snapshot.attempt_id == attempt_id).order_by(Snapshot.taken_at, Snapshot.id))
    chosen, last_shown = [], {}
    for row in rows:
        if row.flag is None:
            last = last_shown.get(row.kind)
            if last is not None and (row.taken_at - last).total_seconds() < TIMELINE_SPACING_SECONDS:
                continue
            last_shown[row.kind] = row.taken_at
        chosen.append({"id": row.id, "taken_at": row.taken_at.isoformat(), "kind": row.kind, "flag": row.flag})
    return chosen


def image(exam_id, snapshot_id, directory):
    """The JPEG of one snapshot of this exam, or None."""
    snapshot = db.session.scalar(select(Snapshot).options(undefer(Snapshot.data))
                                 .where(Snapshot.id == snapshot_id, Snapshot.exam_id == exam_id))
    if snapshot is None:
        return None
    if snapshot.data is not None:
        return snapshot.data
    try:
        with open(_path(directory, snapshot), "rb") as file:
            return file.read()
    except (OSError, TypeError):
        return None


def delete_where(condition, directory):
    """Delete the rows of the snapshots matching `condition` (in the caller's transaction). Returns
    ({exam id: count}, file paths to remove once that transaction has committed)."""
    doomed = db.session.execute(select(Snapshot.id, Snapshot.exam_id, Snapshot.attempt_id).where(condition)).all()
    counts = {}
    for snapshot in doomed:
        counts[snapshot.exam_id] = counts.get(snapshot.exam_id, 0) + 1
    if doomed:
        db.session.execute(delete(Snapshot).where(Snapshot.id.in_([s.id for s in doomed])))
    return counts, [_path(directory, s) for s in doomed] if directory else []


def remove_files(paths):
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass


def as_dict(snapshot):
    return {"id": snapshot.id, "attempt_id": snapshot.attempt_id, "taken_at": snapshot.taken_at.isoformat(),
            "width": snapshot.width, "height": snapshot.height, "flag": snapshot.flag, "kind": snapshot.kind}


def _path(directory, snapshot):
    return os.path.join(directory, str(snapshot.exam_id), str(snapshot.attempt_id), f"{snapshot.id}.jpg")


def _write(directory, snapshot, jpeg):
    path = _path(directory, snapshot)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as file:
        file.write(jpeg)
