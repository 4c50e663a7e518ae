"""Rows the LTI layer owns: platforms, deployments, tool keys, logins, nonces, launches."""

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import UTCDateTime, db, utcnow
from lti_tool.launch.key_encryption import EncryptedText


class Platform(db.Model):
    """One registration of the tool with an LMS: an issuer and the client_id it gave us."""

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    token_url: Mapped[str] = mapped_column(String(1000))
    jwks_url: Mapped[str] = mapped_column(String(1000))
    # The platform's public keys as last fetched; refetched once when a launch names an unknown kid.
    jwks_cache: Mapped[dict | None] = mapped_column(JSON)
    jwks_fetched_at = mapped_column(UTCDateTime)
    registered_via: Mapped[str] = mapped_column(String(20), default="cli")
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    deployments: Mapped[list["Deployment"]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class RegistrationLink(db.Model):
    """A one-time URL the tool's admin hands an LMS admin for LTI Dynamic Registration. Only its hash is kept."""

    __tablename__ = "registration_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False)
    used_at = mapped_column(UTCDateTime)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id", ondelete="SET NULL"))


class Deployment(db.Model):
    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class ToolKey(db.Model):
    """The tool's RSA signing keys. Unretired keys are published in the JWKS; the newest signs."""

    __tablename__ = "tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    # The PEM here; in the database only its encryption with KEY_ENCRYPTION_KEYS.
    private_key_pem: Mapped[str] = mapped_column("private_key_encrypted", EncryptedText)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    retired_at = mapped_column(UTCDateTime)


class LoginState(db.Model):
    """An OIDC login the tool started: the state and nonce it sent, until the launch uses them."""

    __tablename__ = "login_states"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    # The login request's parameters, so a launch whose cookie was blocked can be redone in a new window.
    login_params: Mapped[dict] = mapped_column(JSON)
    storage_target: Mapped[str | None] = mapped_column(String(200))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)

    platform: Mapped[Platform] = relationship()


class UsedNonce(db.Model):
    """A nonce some launch consumed; a second launch with it is a replay."""

    __tablename__ = "used_nonces"
    __table_args__ = (UniqueConstraint("issuer", "nonce"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str] = mapped_column(String(255))
    expires_at = mapped_column(UTCDateTime, nullable=False, index=True)


class Launch(db.Model):
    """A validated LTI message: who, where, as what, and the claims the tool reads again later."""

    __tablename__ = "launches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    resource_link_id: Mapped[int | None] = mapped_column(
        ForeignKey("resource_links.id", ondelete="CASCADE")
    )
    message_type: Mapped[str] = mapped_column(String(60))
    roles: Mapped[list] = mapped_column(JSON)
    # Only what is read again (a deep linking request's settings; see launch/claims.py), never the raw claim set.
    claims: Mapped[dict] = mapped_column(JSON)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    platform: Mapped[Platform] = relationship()
    deployment: Mapped[Deployment] = relationship()
