"""The tool's RSA keys: the newest signs, every unretired key is published, rotation is safe."""

import json
import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from sqlalchemy import delete, select
from sqlalchemy.orm.attributes import flag_modified

from lti_tool.db import db, utcnow
from lti_tool.launch import registry
from lti_tool.launch.models import ToolKey


def new_private_pem(bits):
    """A fresh RSA private key, PEM-encoded (PKCS#8)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption(),
    ).decode()


def new_kid():
    return secrets.token_hex(12)


def _new_key(bits):
    return ToolKey(kid=new_kid(), private_key_pem=new_private_pem(bits), created_at=utcnow())


def published():
    """Unretired keys, newest first: the current key, then the previous one."""
    return db.session.scalars(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    ).all()


def current(bits=2048):
    """The signing key, made on first use."""
    keys = published()
    if keys:
        return keys[0]
    key = _new_key(bits)
    db.session.add(key)
    db.session.commit()
    return key


def rotate(bits=2048):
    """Make a new signing key. The previous key stays published; older ones are retired."""
    keys = published()
    new = _new_key(bits)
    db.session.add(new)
    for old in keys[1:]:
        old.retired_at = utcnow()
    registry.changed()
    db.session.commit()
    return new, [k.kid for k in keys[1:]]


def reencrypt():
    """Encrypt every key again with the first key of KEY_ENCRYPTION_KEYS, so the others can leave the setting."""
    rows = db.session.scalars(select(ToolKey)).all()
    for key in rows:
        flag_modified(key, "private_key_pem")  # read with whichever key opens it, written with the first
    db.session.commit()
    return len(rows)


def forget():
    """Delete every key (when KEY_ENCRYPTION_KEYS was lost they cannot be read); the next use makes a new one."""
    deleted = db.session.execute(delete(ToolKey)).rowcount
    registry.changed()
    db.session.commit()
    return deleted


def public_jwk(key):
    jwk = JWK.from_pem(key.private_key_pem.encode())
    public = json.loads(jwk.export_public())
    public.update({"kid": key.kid, "alg": "RS256", "use": "sig"})
    return public


def jwks(bits=2048):
    """The published key set; a fresh install makes its first key here, before any launch."""
    current(bits)
    return {"keys": [public_jwk(k) for k in published()]}
