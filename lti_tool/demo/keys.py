"""The demo platform's RSA key: made on first use, published as a JWKS, signing its JWTs."""

import jwt
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from lti_tool.db import db, utcnow
from lti_tool.demo.models import DemoKey
from lti_tool.launch.keys import new_kid, new_private_pem, public_jwk

KEY_BITS = 2048
ALGORITHM = "RS256"


def current():
    """The signing key (the oldest row), made and committed on first use."""
    key = db.session.scalar(select(DemoKey).order_by(DemoKey.id))
    if key is None:
        key = _new_key()
        db.session.add(key)
        db.session.commit()
    return key


def _new_key():
    """A fresh RSA key with a random kid."""
    return DemoKey(kid=new_kid(), private_key_pem=new_private_pem(KEY_BITS), created_at=utcnow())


def jwks():
    """The demo's public keys as a JWKS document."""
    current()
    keys = db.session.scalars(select(DemoKey).order_by(DemoKey.id)).all()
    return {"keys": [public_jwk(key) for key in keys]}


def sign(claims):
    """A compact RS256 JWT of these claims, with the signing key's kid in the header."""
    key = current()
    return jwt.encode(claims, key.private_key_pem, algorithm=ALGORITHM, headers={"kid": key.kid})


def verify(token, *, audience, issuer):
    """The claims of a JWT the demo signed itself; raises jwt.InvalidTokenError otherwise."""
    private = serialization.load_pem_private_key(current().private_key_pem.encode(), password=None)
    return jwt.decode(
        token, private.public_key(), algorithms=[ALGORITHM], audience=audience, issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud"]},
    )
