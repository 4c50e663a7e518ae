"""Outbound HTTP: every call the tool makes to a platform goes through a session made here, and is bounded.

- Bytes: each answer's body is read as it streams and cut past the call's cap; an announced Content-Length
  above the cap is refused unread. A session may also have a budget for all its answers (a roster's pages).
- Time: each request, redirect hops included, has a total deadline (OUTBOUND_HTTP_DEADLINE) on top of the
  per-read timeout (OUTBOUND_HTTP_TIMEOUT), enforced on the socket (lti_tool/launch/connections.py).
- Where: https only unless ALLOW_INSECURE_PLATFORMS, checked before connecting, on every hop; addresses as
  lti_tool/launch/addresses.py allows, checked on the resolved address at connect time.
- Redirects: none, unless the call's limits allow some; a redirect not followed is an error, never an answer
  (a 302 to a score POST would otherwise pass for a score taken).

Refusals are requests.RequestException subclasses, so each caller keeps turning them into its own clear error.
The log says what happened (host, cap, deadline); the exceptions' words stay generic.
"""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter

from lti_tool.launch import connections
from lti_tool.launch.addresses import AddressRefused

log = logging.getLogger(__name__)

USER_AGENT = "ProctorLTI/1.0"
KIB = 1024
MIB = 1024 * KIB
CHUNK_BYTES = 64 * KIB


@dataclass(frozen=True)
class Limits:
    """What one kind of call may take: bytes in one answer, bytes in all of a session's answers (None: only
    the per-answer cap), and how many redirects it follows."""

    max_bytes: int
    total_bytes: int | None = None
    redirects: int = 0


# The OpenID configuration, the registration answer, an access token: a few KB each.
SMALL = Limits(max_bytes=64 * KIB)
# A platform's key set: at most 20 keys of under 1 KB (key_sets.py). A GET that the platform moved elsewhere
# may be followed; every hop is checked as the first one is.
KEY_SET = Limits(max_bytes=64 * KIB, redirects=3)
# Line items and score answers.
SERVICE = Limits(max_bytes=1 * MIB)
# Moodle answers a whole course's roster in one page, about 400 bytes a member: 16 MB is 40,000 members.
ROSTER = Limits(max_bytes=16 * MIB, total_bytes=64 * MIB)


class ResponseTooLarge(requests.RequestException):
    """The answer was larger than the call accepts."""


class DeadlineExceeded(requests.Timeout):
    """The request, with its redirects, took longer than OUTBOUND_HTTP_DEADLINE."""


class ForbiddenAddress(requests.ConnectionError):
    """The host resolved to an address the tool may not call."""


class InsecureUrl(requests.exceptions.InvalidURL):
    """A plain http URL while ALLOW_INSECURE_PLATFORMS is off."""


class RedirectRefused(requests.RequestException):
    """The platform answered with a redirect that this call does not follow."""


class PlatformSession(requests.Session):
    """A requests session whose every request is bounded as this module says. `limits`: one of SMALL,
    KEY_SET, SERVICE, ROSTER."""

    def __init__(self, limits, *, read_timeout, deadline, allow_http, allowed_networks):
        super().__init__()
        # No proxy or .netrc from the environment: the address rules must see the peer actually connected to.
        self.trust_env = False
        self.headers["User-Agent"] = USER_AGENT
        self.max_redirects = limits.redirects
        self.limits = limits
        self.read_timeout = read_timeout
        self.deadline = deadline
        self.allow_http = allow_http
        self.allowed_networks = tuple(allowed_networks)
        self.bytes_read = 0
        adapter = _BoundedAdapter(self)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.read_timeout)
        bounds = connections.Bounds(time.monotonic() + self.deadline, self.allowed_networks)
        token = connections.current.set(bounds)
        try:
            return super().request(method, url, **kwargs)
        finally:
            connections.current.reset(token)

    def get_redirect_target(self, response):
        target = super().get_redirect_target(response)
        if target and not self.max_redirects:
            log.warning("outbound %s %s: answered HTTP %s, a redirect to %s; this call follows none",
                        response.request.method, _host(response.url), response.status_code, _host(target))
            response.close()
            raise RedirectRefused("The LMS answered with a redirect, which this call does not follow.",
                                  response=response)
        return target

    @contextmanager
    def capped(self, max_bytes):
        """Within the block, an answer may hold at most `max_bytes` (or the session's own cap, if smaller)."""
        limits = self.limits
        self.limits = replace(limits, max_bytes=min(limits.max_bytes, max_bytes))
        try:
            yield
        finally:
            self.limits = limits

    def cap(self):
        """The most the next answer may hold."""
        if self.limits.total_bytes is None:
            return self.limits.max_bytes
        return max(0, min(self.limits.max_bytes, self.limits.total_bytes - self.bytes_read))


class _BoundedAdapter(HTTPAdapter):
    """Sends one request or redirect hop: the scheme checked first, the connection guarded, the body read
    within the session's cap."""

    def __init__(self, owner):
        self.owner = owner
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = connections.POOLS_BY_SCHEME

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        if url.scheme != "https" and not self.owner.allow_http:
            log.warning("outbound %s %s refused before connecting: plain http (ALLOW_INSECURE_PLATFORMS is off)",
                        request.method, url.hostname)
            raise InsecureUrl("The LMS's URL is not https.", request=request)
        bounds = connections.current.get()
        try:
            response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
            self._read_body(response, request.method, url.hostname)
        except AddressRefused as refused:
            log.warning("outbound %s refused before connecting: %s (OUTBOUND_ALLOWED_NETWORKS can allow an LMS "
                        "on an internal network)", request.method, refused)
            raise ForbiddenAddress("The LMS's address is not one the tool may call.", request=request) from None
        except requests.RequestException as exc:
            if isinstance(exc, ResponseTooLarge) or not bounds.expired():
                raise
            log.warning("outbound %s %s: no complete answer within the %s s deadline (OUTBOUND_HTTP_DEADLINE)",
                        request.method, url.hostname, self.owner.deadline)
            raise DeadlineExceeded("The LMS did not answer in time.", request=request) from exc
        return response

    def _read_body(self, response, method, host):
        cap = self.owner.cap()
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            self._too_large(response, method, host, cap, f"it announced {declared} bytes, more")
        body = bytearray()
        for chunk in response.iter_content(CHUNK_BYTES):
            body += chunk
            if len(body) > cap:
                self._too_large(response, method, host, cap, "it sent more")
        self.owner.bytes_read += len(body)
        response._content = bytes(body)  # what requests itself fills in when it reads a body
        response.close()  # back to the pool

    def _too_large(self, response, method, host, cap, what):
        log.warning("outbound %s %s: answer refused, %s than the %s bytes this call accepts", method, host, what, cap)
        response.close()
        raise ResponseTooLarge("The LMS's answer was larger than the tool accepts for this call.",
                               response=response)


def _host(url):
    return urlsplit(url).hostname


def session(limits=SMALL):
    """A session for calls of one kind (SMALL, KEY_SET, SERVICE or ROSTER), configured from the app."""
    config = current_app.config
    return PlatformSession(limits, read_timeout=config["OUTBOUND_HTTP_TIMEOUT"],
                           deadline=config["OUTBOUND_HTTP_DEADLINE"],
                           allow_http=config["ALLOW_INSECURE_PLATFORMS"],
                           allowed_networks=config["OUTBOUND_ALLOWED_NETWORKS"])
