"""Registered platforms and their deployments."""

from urllib.parse import urlsplit

from sqlalchemy import select, update

from lti_tool import audit
from lti_tool.db import db, utcnow
from lti_tool.errors import AppError
from lti_tool.launch import registry
from lti_tool.launch.models import Deployment, Platform


class InvalidPlatform(AppError):
    code = "invalid_platform"
    title = "Invalid platform settings"


class PlatformExists(AppError):
    http_status = 409
    code = "platform_exists"
    title = "This LMS is already registered"


def check_url(label, url, *, allow_http):
    parts = urlsplit(url or "")
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.netloc:
        raise InvalidPlatform(f"{label} must be an {'http(s)' if allow_http else 'https'} URL, got {url!r}")


def save(*, issuer, client_id, name, auth_login_url, token_url, jwks_url, deployment_ids=(),
         via="cli", allow_http=False, origin="cli", replace=False):
    """Add a platform and its deployments. An existing (issuer, client_id) is changed only when `replace` is
    set (an admin's CLI act); otherwise it is refused, so no registration can take over a registered LMS."""
    for label, url in (("issuer", issuer), ("auth login URL", auth_login_url),
                       ("token URL", token_url), ("JWKS URL", jwks_url)):
        check_url(label, url, allow_http=allow_http)
    if not client_id:
        raise InvalidPlatform("client_id is required")
    platform = find(issuer, client_id)
    created = platform is None
    if created:
        platform = Platform(issuer=issuer, client_id=client_id)
        db.session.add(platform)
    elif not replace:
        raise PlatformExists(
            f"The LMS {issuer} already has a registration with client id {client_id}; it was left unchanged.",
            hint="Changing a registered LMS is the tool administrator's act: `flask --app lti_tool lti add-platform`.",
        )
    before = _settings(platform)
    platform.name = name or urlsplit(issuer).netloc
    platform.auth_login_url = auth_login_url
    platform.token_url = token_url
    if platform.jwks_url != jwks_url:
        platform.jwks_cache = None
    platform.jwks_url = jwks_url
    platform.registered_via = via
    for deployment_id in deployment_ids:
        add_deployment(platform, deployment_id)
    db.session.flush()
    data = {"issuer": issuer, "client_id": client_id, "via": via,
            "deployments": [d.deployment_id for d in platform.deployments]}
    if not created:
        after = _settings(platform)
        data["changed"] = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    audit.record("platform.registered" if created else "platform.updated", "platform", platform.id,
                 data=data, origin=origin)
    registry.changed()
    return platform


def _settings(platform):
    return {"name": platform.name, "auth_login_url": platform.auth_login_url, "token_url": platform.token_url,
            "jwks_url": platform.jwks_url}


def add_deployment(platform, deployment_id):
    deployment_id = str(deployment_id)
    for deployment in platform.deployments:
        if deployment.deployment_id == deployment_id:
            return deployment
    deployment = Deployment(deployment_id=deployment_id)
    platform.deployments.append(deployment)
    return deployment


def store_key_set(platform_id, key_set):
    """Keep the platform's public keys as just fetched (committed by the caller)."""
    db.session.execute(update(Platform).where(Platform.id == platform_id).values(
        jwks_cache=key_set, jwks_fetched_at=utcnow()))
    registry.changed()


def find(issuer, client_id):
    return db.session.scalar(select(Platform).filter_by(issuer=issuer, client_id=client_id))


def find_for_login(issuer, client_id):
    """The platform a login names. client_id is optional in a login when the issuer has one client."""
    if client_id:
        return find(issuer, client_id)
    candidates = db.session.scalars(select(Platform).filter_by(issuer=issuer)).all()
    return candidates[0] if len(candidates) == 1 else None


def find_deployment(platform, deployment_id):
    return db.session.scalar(
        select(Deployment).filter_by(platform_id=platform.id, deployment_id=str(deployment_id))
    )


def origin(platform):
    """The web origin of the platform's login page: where its postMessage answers come from."""
    parts = urlsplit(platform.auth_login_url)
    return f"{parts.scheme}://{parts.netloc}"


def all_platforms():
    return db.session.scalars(select(Platform).order_by(Platform.id)).all()
