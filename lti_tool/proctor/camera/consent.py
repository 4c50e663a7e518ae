"""Consent before any camera use: the student reads what is recorded, who sees it and how long it is kept,
and agrees; the text they agreed to is kept with the consent."""

from sqlalchemy import select

from lti_tool import audit
from lti_tool.db import db
from lti_tool.proctor.camera.models import Consent


def text(exam, settings, mode):
    what = ("a live video of you (no sound) that proctors watch during the exam, and a still picture every "
            f"{settings.snapshot_interval_seconds} seconds if the video fails"
            if mode == "agora" else
            f"a still picture from your camera every {settings.snapshot_interval_seconds} seconds")
    checks = (" Your browser also checks each picture for a face and flags \"no face\" or \"more than one face\" "
              "for a person to look at; nothing is decided automatically." if settings.face_checks else "")
    screen = (f" You also share your entire screen with the proctors: a small picture of it every "
              f"{settings.snapshot_interval_seconds} seconds." if settings.screen_share else "")
    return (f"During “{exam.title}” this tool records {what}.{checks}{screen} "
            "Only the proctors and test makers of this exam can see them. "
            f"They are deleted {settings.retention_days} days after they are taken, or earlier if your "
            "instructor is asked to delete them.")


def given(exam_id, user_id):
    return db.session.scalar(select(Consent).filter_by(exam_id=exam_id, user_id=user_id)) is not None


def accept(exam, user_id, shown_text, *, origin):
    """Record the student's consent (once; agreeing again changes nothing)."""
    if given(exam.id, user_id):
        return
    db.session.add(Consent(exam_id=exam.id, user_id=user_id, text=shown_text))
    audit.record("camera.consent", "exam", exam.id, actor_user_id=user_id, course_id=exam.course_id,
                 origin=origin, data={"text": shown_text})
    db.session.commit()
