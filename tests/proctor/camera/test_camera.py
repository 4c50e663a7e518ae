"""The camera's API: settings, consent first, Agora tokens checked offline with the app certificate,
snapshots that must be real images and lose their metadata, and evidence deleted when due or on request."""

import base64
import hashlib
import hmac
import io
import struct
import time
import zlib
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from lti_tool.audit import AuditEntry
from lti_tool.db import db, utcnow
from lti_tool.proctor.camera import agora, retention
from lti_tool.proctor.camera.models import Snapshot
from tests.exam.test_attempts import start

APP_ID = "0123456789abcdef0123456789abcdef"
APP_CERT = "fedcba9876543210fedcba9876543210"


def jpeg(width=640, height=480, exif=True):
    image = Image.new("RGB", (width, height), (120, 80, 40))
    out = io.BytesIO()
    extra = {}
    if exif:
        info = Image.Exif()
        info[0x010F] = "Camera maker that must not leak"  # Make
        extra["exif"] = info.tobytes()
    image.save(out, "JPEG", **extra)
    return out.getvalue()


def call(course, method, path, token=None, **kwargs):
    return course.call(method, path, token, **kwargs)


def camera_on(course, exam, **settings):
    response = call(course, "PUT", f"/api/exams/{exam['id']}/camera/settings", json={"policy": "required", **settings})
    assert response.status_code == 200, response.json
    return response.json


def consent_and_start(course, exam, token):
    """The pre-exam check's order: the camera notice agreed to, then the attempt (an exam whose camera is
    required starts only after it)."""
    assert call(course, "POST", f"/api/exams/{exam['id']}/camera/consent", token).status_code == 200
    return start(course, exam, token)


def snapshot(course, attempt, token, data=None, flag=None, kind=None):
    query = "&".join(f"{name}={value}" for name, value in (("flag", flag), ("kind", kind)) if value)
    path = f"/api/attempts/{attempt['id']}/snapshots" + (f"?{query}" if query else "")
    return call(course, "POST", path, token, data=jpeg() if data is None else data, content_type="image/jpeg")


@pytest.fixture
def agora_app(app):
    app.config.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERT=APP_CERT)
    return app


def decode_token(token):
    """The parts of a 006 token: (signature, channel crc, uid crc, signed message)."""
    assert token[:3] == "006" and token[3:35] == APP_ID
    content = base64.b64decode(token[35:])
    (length,) = struct.unpack_from("<H", content)
    signature, rest = content[2:2 + length], content[2 + length:]
    crc_channel, crc_uid, m_length = struct.unpack_from("<IIH", rest)
    message = rest[10:10 + m_length]
    return signature, crc_channel, crc_uid, message


def verify(token, channel, uid):
    signature, crc_channel, crc_uid, message = decode_token(token)
    expected = hmac.new(APP_CERT.encode(), APP_ID.encode() + channel.encode() + str(uid).encode() + message,
                        hashlib.sha256).digest()
    assert hmac.compare_digest(signature, expected), "the token is not signed for this channel and uid"
    assert crc_channel == zlib.crc32(channel.encode()) & 0xFFFFFFFF
    assert crc_uid == zlib.crc32(str(uid).encode()) & 0xFFFFFFFF
    _salt, _ts, count = struct.unpack_from("<IIH", message)
    privileges = dict(struct.unpack_from("<HI", message, 10 + 6 * i) for i in range(count))
    return privileges


def test_settings_default_to_no_camera_and_only_the_test_maker_changes_them(course):
    exam = course.exam(questions=1)
    student = course.student()
    path = f"/api/exams/{exam['id']}/camera/settings"
    assert call(course, "GET", path).json["policy"] == "off"
    assert call(course, "PUT", path, student, json={"policy": "required"}).status_code == 403
    for bad in ({"policy": "always"}, {"snapshot_interval_seconds": 1}, {"retention_days": 0},
                {"face_checks": "yes"}, {"screen_share": 1}, {"colour": "blue"}, ["policy"]):
        refused = call(course, "PUT", path, json=bad)
        assert refused.status_code == 400 and refused.json["error"]["code"] == "invalid_camera_settings", bad
    assert camera_on(course, exam, face_checks=False)["face_checks"] is False


def test_no_camera_use_before_consent_and_the_consent_is_kept_with_its_text(course):
    exam = course.exam(questions=1)
    camera_on(course, exam, policy="optional")  # a required camera's exam does not start before the consent
    student = course.student()
    attempt = start(course, exam, student)
    page = call(course, "GET", f"/api/attempts/{attempt['id']}/camera", student).json
    assert (page["mode"], page["consent"]["given"]) == ("snapshot", False)
    assert "deleted 30 days after" in page["consent"]["text"]
    assert snapshot(course, attempt, student).status_code == 403
    given = call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student).json
    assert given["consent"]["given"] is True
    entry = db.session.scalar(select(AuditEntry).filter_by(action="camera.consent"))
    assert entry.data["text"] == page["consent"]["text"]
    assert snapshot(course, attempt, student).status_code == 201


def test_a_student_publishes_only_on_their_own_uid_and_channel_while_the_attempt_is_open(course, agora_app):
    exam = course.exam(questions=1)
    camera_on(course, exam, policy="optional")
    student = course.student()
    attempt = start(course, exam, student)
    assert call(course, "POST", f"/api/attempts/{attempt['id']}/camera/token", student).status_code == 403
    page = call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student).json
    credentials = page["agora"]
    assert credentials["channel"] == agora.channel(exam["id"], 0)
    privileges = verify(credentials["token"], credentials["channel"], credentials["uid"])
    assert set(privileges) == {1, 2, 3, 4}  # join and publish audio, video, data
    assert abs(privileges[1] - (time.time() + agora.TOKEN_SECONDS)) < 5
    assert credentials["expires_at"] == privileges[1]
    renewed = call(course, "POST", f"/api/attempts/{attempt['id']}/camera/token", student).json
    verify(renewed["token"], credentials["channel"], credentials["uid"])
    call(course, "POST", f"/api/attempts/{attempt['id']}/submit", student)
    assert call(course, "POST", f"/api/attempts/{attempt['id']}/camera/token", student).status_code == 400
    assert "agora" not in call(course, "GET", f"/api/attempts/{attempt['id']}/camera", student).json


def test_a_proctor_gets_a_subscriber_token_per_channel_and_cannot_publish(course, agora_app):
    exam = course.exam(questions=1)
    camera_on(course, exam)
    page = call(course, "GET", f"/api/exams/{exam['id']}/camera").json
    [watch] = page["agora"]["channels"]
    privileges = verify(watch["token"], watch["channel"], page["agora"]["uid"])
    assert set(privileges) == {1}  # join only
    assert page["agora"]["uid"] >= 2**31  # never a student's uid
    assert call(course, "GET", f"/api/exams/{exam['id']}/camera", course.student()).status_code == 403


def test_channels_are_sharded_above_about_120_publishers():
    assert agora.shard_count(0) == agora.shard_count(120) == 1
    assert agora.shard_count(121) == 2 and agora.shard_count(2000) == 17
    channels = {agora.student_channel(7, user_id, 2000) for user_id in range(1, 2001)}
    assert channels == set(agora.exam_channels(7, 2000))


def test_a_snapshot_must_be_a_real_image_and_is_kept_without_metadata(course, app):
    exam = course.exam(questions=1)
    camera_on(course, exam, snapshot_width=320)
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student)
    for bad in (b"not a picture", b"\xff\xd8\xff\xe0 truncated jpeg", b"GIF89a" + b"\x00" * 30,
                b"x" * (app.config["SNAPSHOT_MAX_BYTES"] + 1), b""):
        refused = snapshot(course, attempt, student, data=bad)
        assert refused.status_code == 400 and refused.json["error"]["code"] == "snapshot_refused", bad[:20]
    stored = snapshot(course, attempt, student).json
    assert (stored["width"], stored["height"]) == (320, 240)
    assert snapshot(course, attempt, student).status_code == 400  # too soon after the last one
    assert snapshot(course, attempt, student, flag="no_face").status_code == 201  # evidence is always taken
    image = call(course, "GET", f"/api/exams/{exam['id']}/snapshots/{stored['id']}.jpg")
    assert image.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(image.data)) as kept:
        assert kept.size == (320, 240) and not kept.getexif()
    assert b"Camera maker" not in image.data
    history = call(course, "GET", f"/api/exams/{exam['id']}/attempts/{attempt['id']}/snapshots").json["snapshots"]
    assert [s["flag"] for s in history] == ["no_face", None]
    assert call(course, "GET", f"/api/exams/{exam['id']}/snapshots/{stored['id']}.jpg", student).status_code == 403


def test_the_dashboard_hears_of_each_snapshot(room):
    token, attempt = room.student()
    camera_on(room.course, room.exam)  # after the start: the attempt's own consent is for this case
    call(room.course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", token)
    dashboard = room.dashboard()
    dashboard.next("roster")
    stored = snapshot(room.course, attempt, token).json
    assert dashboard.next("snapshot", attempt_id=attempt["id"])["snapshot_id"] == stored["id"]


@pytest.mark.parametrize("on_disk", [False, True])
def test_evidence_is_deleted_when_its_retention_ends_and_on_request(course, app, tmp_path, on_disk):
    app.config["SNAPSHOT_DIR"] = str(tmp_path / "snapshots") if on_disk else None
    exam = course.exam(questions=1)
    camera_on(course, exam, retention_days=30)
    students = [course.student(f"s{n}") for n in range(2)]
    attempts = [consent_and_start(course, exam, token) for token in students]
    for token, attempt in zip(students, attempts, strict=True):
        call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", token)
        assert snapshot(course, attempt, token).status_code == 201
        assert snapshot(course, attempt, token, flag="multiple_faces").status_code == 201
    old = db.session.scalars(select(Snapshot).filter_by(attempt_id=attempts[0]["id"])).all()
    for row in old:
        row.taken_at = utcnow() - timedelta(days=31)
    db.session.commit()
    files = list((tmp_path / "snapshots").rglob("*.jpg")) if on_disk else []
    assert len(files) == (4 if on_disk else 0)

    assert retention.delete_expired(app.config["SNAPSHOT_DIR"]) == 2
    assert retention.delete_expired(app.config["SNAPSHOT_DIR"]) == 0
    assert {s.attempt_id for s in db.session.scalars(select(Snapshot))} == {attempts[1]["id"]}
    assert db.session.scalar(select(AuditEntry).filter_by(action="camera.evidence_expired")).data["snapshots"] == 2

    path = f"/api/exams/{exam['id']}/attempts/{attempts[1]['id']}/evidence"
    assert call(course, "DELETE", path, students[1]).status_code == 403
    assert call(course, "DELETE", path).json == {"snapshots_deleted": 2}
    assert db.session.scalar(select(func.count()).select_from(Snapshot)) == 0
    assert db.session.scalar(select(AuditEntry).filter_by(action="camera.evidence_deleted")).actor_user_id
    if on_disk:
        assert not list((tmp_path / "snapshots").rglob("*.jpg"))


def test_with_agora_on_the_pages_may_reach_agora_and_otherwise_nothing_but_the_tool(client, app):
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert "agora" not in policy and "connect-src 'self' ws://localhost;" in policy
    app.config.update(AGORA_APP_ID=APP_ID, AGORA_APP_CERT=APP_CERT)
    policy = client.get("/healthz").headers["Content-Security-Policy"]
    assert ("connect-src 'self' ws://localhost https://*.agora.io https://*.sd-rtn.com wss://*.agora.io "
            "wss://*.sd-rtn.com;") in policy
    assert policy.endswith("; worker-src 'self' blob:")
    assert "script-src 'self';" in policy  # the SDK is served by the tool, never from a CDN


def test_a_missing_camera_is_a_violation_the_dashboard_hears_of(room):
    camera_on(room.course, room.exam, policy="optional")
    token, attempt = room.student()
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    page.send(type="violation", kind="camera_unavailable", client_time=time.time() * 1000, id="cam-1",
              detail="The browser blocked the camera.")
    event = dashboard.next("event")["event"]
    assert (event["detail"], event["text"]) == ("camera_unavailable", "The browser blocked the camera.")


def test_screen_sharing_is_a_setting_the_consent_names_and_the_page_is_told_of(course):
    exam = course.exam(questions=1)
    assert call(course, "GET", f"/api/exams/{exam['id']}/camera/settings").json["screen_share"] is False
    assert camera_on(course, exam, screen_share=True)["screen_share"] is True
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    page = call(course, "GET", f"/api/attempts/{attempt['id']}/camera", student).json
    assert page["screen_share"] is True
    assert "share your entire screen" in page["consent"]["text"]
    camera_on(course, exam, screen_share=False)
    page = call(course, "GET", f"/api/attempts/{attempt['id']}/camera", student).json
    assert page["screen_share"] is False and "screen" not in page["consent"]["text"]


def test_screen_stills_are_kept_apart_from_the_cameras_and_only_when_the_exam_shares_the_screen(course):
    exam = course.exam(questions=1)
    camera_on(course, exam)
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student)
    refused = snapshot(course, attempt, student, kind="screen")
    assert refused.status_code == 400 and "does not share the screen" in refused.json["error"]["message"]
    camera_on(course, exam, screen_share=True)
    for bad in ({"kind": "desktop"}, {"kind": "screen", "flag": "no_face"}):
        refused = snapshot(course, attempt, student, **bad)
        assert refused.status_code == 400 and refused.json["error"]["code"] == "snapshot_refused", bad
    assert snapshot(course, attempt, student).json["kind"] == "camera"
    # Each kind keeps its own pace: a screen still right after a camera one is taken, a second one is not.
    assert snapshot(course, attempt, student, kind="screen").json["kind"] == "screen"
    assert snapshot(course, attempt, student, kind="screen").status_code == 400
    history = call(course, "GET", f"/api/exams/{exam['id']}/attempts/{attempt['id']}/snapshots").json["snapshots"]
    assert sorted(s["kind"] for s in history) == ["camera", "screen"]
    latest = call(course, "GET", f"/api/exams/{exam['id']}/camera").json["latest"]
    assert latest[str(attempt["id"])]["kind"] == "camera"  # the tile shows the camera, never the screen


def test_the_timeline_shows_flagged_stills_and_at_most_one_other_of_each_kind_a_minute(course):
    exam = course.exam(questions=1)
    camera_on(course, exam, screen_share=True)
    student = course.student()
    attempt = consent_and_start(course, exam, student)
    call(course, "POST", f"/api/attempts/{attempt['id']}/camera/consent", student)
    begin = utcnow() - timedelta(hours=2)
    rows = [Snapshot(exam_id=exam["id"], attempt_id=attempt["id"], taken_at=begin + timedelta(seconds=10 * n),
                     width=320, height=240, size=1, kind=kind, flag="no_face" if (kind, n) == ("camera", 7) else None)
            for n in range(720) for kind in ("camera", "screen")]
    db.session.add_all(rows)
    db.session.commit()
    timeline = call(course, "GET", f"/api/exams/{exam['id']}/attempts/{attempt['id']}/timeline").json
    stills = timeline["stills"]
    assert len(stills) == 2 * 120 + 1  # two hours: one a minute of each kind, and the flagged one
    assert [s["taken_at"] for s in stills] == sorted(s["taken_at"] for s in stills)
    [flagged] = [s for s in stills if s["flag"]]
    assert (flagged["kind"], flagged["flag"]) == ("camera", "no_face")
    assert set(stills[0]) == {"id", "taken_at", "kind", "flag"}
    assert {s["kind"] for s in stills} == {"camera", "screen"}
    assert call(course, "GET", f"/api/exams/{exam['id']}/attempts/{attempt['id']}/timeline",
                student).status_code == 403


def test_a_stopped_screen_share_is_a_violation_the_dashboard_hears_of(room):
    token, attempt = room.student()
    camera_on(room.course, room.exam, screen_share=True)
    dashboard = room.dashboard()
    dashboard.next("roster")
    page = room.student_page(token, attempt)
    page.send(type="violation", kind="screen_share_stopped", client_time=time.time() * 1000, id="scr-1",
              detail="The student stopped sharing their screen.")
    assert dashboard.next("event")["event"]["detail"] == "screen_share_stopped"
