"""Outbound HTTP: every call the tool makes to a platform has a timeout."""

import requests
from flask import current_app

USER_AGENT = "ProctorLTI/1.0"


class TimeoutSession(requests.Session):
    """A requests session that never waits forever: every request gets a default timeout."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = USER_AGENT

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def session():
    return TimeoutSession(current_app.config["OUTBOUND_HTTP_TIMEOUT"])
