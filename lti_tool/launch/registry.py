"""What every login and launch reads of the registered LMSs and of the tool's signing key, kept by each worker:
at the launch rush a worker would otherwise read the same platform, deployment and key rows (and decrypt the
key) for every student.

A change clears every worker's copy. `changed()` clears this worker's at once and, once the change commits, tells
the others over the bus. A worker that may have missed a bus message (the bus's gap callback, after a lost
connection) clears its copy too, and no copy is older than MAX_AGE seconds, which bounds what a message lost any
other way can cost: a platform's changed settings taking effect up to a minute late on another worker. A
deployment added since a copy was made is read from the database, so a new one is never refused meanwhile."""

import time
from dataclasses import dataclass
from types import MappingProxyType

from flask import current_app

from lti_tool.launch import keys, platforms
from lti_tool.realtime import on_commit

MAX_AGE = 60.0
CHANNEL = "launch-registry"


@dataclass(frozen=True)
class PlatformRecord:
    """A registered platform as a login and launch read it: a Platform row's columns, and its deployments."""

    id: int
    name: str
    issuer: str
    client_id: str
    auth_login_url: str
    token_url: str
    jwks_url: str
    jwks_cache: dict | None
    jwks_fetched_at: object
    deployments: MappingProxyType  # the LMS's deployment id -> our row's id


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key_pem: str


class Copies:
    """One worker's copies, each with the moment it was read."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.entries = {}

    def get(self, key, read):
        """The copy of `key`, or `read()`'s value kept as it (a None is not kept: an unknown LMS stays unknown
        only until it is registered)."""
        found = self.entries.get(key)
        if found is not None and self.clock() - found[0] < MAX_AGE:
            return found[1]
        value = read()
        if value is not None:
            self.entries[key] = (self.clock(), value)
        return value

    def clear(self, *_):
        self.entries.clear()


def init_app(app):
    copies = app.extensions["launch_registry"] = Copies()
    bus = app.extensions["bus"]
    bus.subscribe(CHANNEL, copies.clear)
    bus.on_gap(copies.clear)


def platform_for_login(issuer, client_id):
    """The platform a login or launch names (client_id may be missing when the issuer has one), or None."""
    return _copies().get(("platform", issuer, client_id or None),
                         lambda: _record(platforms.find_for_login(issuer, client_id)))


def deployment_row(platform, deployment_id):
    """Our row id of the platform's deployment `deployment_id`, or None if the LMS never registered it."""
    found = platform.deployments.get(str(deployment_id))
    if found is None:
        row = platforms.find_deployment(platform, deployment_id)
        found = row.id if row else None
    return found


def signing_key(bits):
    """The tool's current signing key (made on first use)."""
    return _copies().get(("signing key",), lambda: _signing_key(keys.current(bits)))


def changed():
    """A platform, deployment or tool key changed: this worker forgets its copies now, every other worker once
    the change commits."""
    _copies().clear()
    on_commit.publish(CHANNEL, {"type": "changed"})


def _copies():
    return current_app.extensions["launch_registry"]


def _record(platform):
    if platform is None:
        return None
    return PlatformRecord(
        id=platform.id, name=platform.name, issuer=platform.issuer, client_id=platform.client_id,
        auth_login_url=platform.auth_login_url, token_url=platform.token_url, jwks_url=platform.jwks_url,
        jwks_cache=platform.jwks_cache, jwks_fetched_at=platform.jwks_fetched_at,
        deployments=MappingProxyType({d.deployment_id: d.id for d in platform.deployments}),
    )


def _signing_key(key):
    return SigningKey(kid=key.kid, private_key_pem=key.private_key_pem)
