"""Which camera a page uses and what it needs to start it: Agora when AGORA_APP_ID and AGORA_APP_CERT are set
(snapshots as the fallback when Agora fails), otherwise snapshots, which need no vendor."""

from lti_tool.exam import roster
from lti_tool.proctor.camera import agora, consent
from lti_tool.proctor.camera import settings as camera_settings

# Proctors join Agora channels with uids students never have (student uids are their user ids).
PROCTOR_UID_BASE = 2**31


def mode(config):
    return "agora" if config.get("AGORA_APP_ID") and config.get("AGORA_APP_CERT") else "snapshot"


def for_student(exam, attempt, config, *, may_publish):
    """What the student's page needs: the policy, the consent text and whether it was given, and (only once
    consented and while the attempt is open) how to send the camera."""
    settings = camera_settings.of(exam.id)
    chosen = mode(config) if settings.policy != "off" else "off"
    page = {"mode": chosen, "policy": settings.policy, "face_checks": settings.face_checks,
            "screen_share": settings.screen_share and chosen != "off",
            "snapshot": {"interval_seconds": settings.snapshot_interval_seconds,
                         "width": settings.snapshot_width, "max_bytes": config["SNAPSHOT_MAX_BYTES"]}}
    if chosen == "off":
        return page
    page["consent"] = {"text": consent.text(exam, settings, chosen), "given": consent.given(exam.id, attempt.user_id)}
    if chosen == "agora" and page["consent"]["given"] and may_publish:
        page["agora"] = student_token(exam, attempt, config)
    return page


def student_token(exam, attempt, config):
    channel = agora.student_channel(exam.id, attempt.user_id, roster.student_count(exam))
    token, expires_at = agora.publisher_token(config["AGORA_APP_ID"], config["AGORA_APP_CERT"], channel,
                                              attempt.user_id)
    return {"app_id": config["AGORA_APP_ID"], "channel": channel, "uid": attempt.user_id, "token": token,
            "expires_at": expires_at}


def for_proctor(exam, proctor_user_id, config):
    """What the dashboard needs to watch: the mode, and for Agora a subscriber token per channel."""
    settings = camera_settings.of(exam.id)
    chosen = mode(config) if settings.policy != "off" else "off"
    page = {"mode": chosen, "policy": settings.policy}
    if chosen == "agora":
        uid = PROCTOR_UID_BASE + proctor_user_id
        page["agora"] = {"app_id": config["AGORA_APP_ID"], "uid": uid, "channels": []}
        for channel in agora.exam_channels(exam.id, roster.student_count(exam)):
            token, expires_at = agora.subscriber_token(config["AGORA_APP_ID"], config["AGORA_APP_CERT"], channel, uid)
            page["agora"]["channels"].append({"channel": channel, "token": token, "expires_at": expires_at})
    return page
