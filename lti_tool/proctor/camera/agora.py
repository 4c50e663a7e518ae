"""Agora RTC tokens (006, from agora-token-builder): a student publishes their own camera on their exam's
channel; a proctor subscribes. Tokens are short-lived and renewed by the page when Agora says they will
expire. Above about 128 publishers a channel is split into shards."""

import math
import time

from agora_token_builder.RtcTokenBuilder import Role_Publisher, Role_Subscriber, RtcTokenBuilder

TOKEN_SECONDS = 10 * 60
# Agora allows about 128 publishers in one channel; leave room for late joiners.
PUBLISHERS_PER_CHANNEL = 120


def shard_count(students):
    return max(1, math.ceil(students / PUBLISHERS_PER_CHANNEL))


def channel(exam_id, shard):
    return f"proctor-exam-{exam_id}-{shard}"


def student_channel(exam_id, user_id, students):
    return channel(exam_id, user_id % shard_count(students))


def exam_channels(exam_id, students):
    return [channel(exam_id, shard) for shard in range(shard_count(students))]


def publisher_token(app_id, certificate, channel_name, uid, now=None):
    """A token to join `channel_name` as `uid` and publish; (token, expires_at)."""
    return _token(app_id, certificate, channel_name, uid, Role_Publisher, now)


def subscriber_token(app_id, certificate, channel_name, uid, now=None):
    """A token to join `channel_name` as `uid` and watch only."""
    return _token(app_id, certificate, channel_name, uid, Role_Subscriber, now)


def _token(app_id, certificate, channel_name, uid, role, now):
    expires_at = int(now if now is not None else time.time()) + TOKEN_SECONDS
    return RtcTokenBuilder.buildTokenWithUid(app_id, certificate, channel_name, uid, role, expires_at), expires_at
