"""The tool's private keys at rest: encrypted with KEY_ENCRYPTION_KEYS (Fernet), the first key encrypting and every
key decrypting, so the setting can be rotated (`flask lti reencrypt-keys`)."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text, TypeDecorator

from lti_tool.config import ConfigError


@lru_cache(maxsize=8)
def _fernet(keys):
    return MultiFernet([Fernet(key) for key in keys])


def _configured():
    return _fernet(tuple(current_app.config["KEY_ENCRYPTION_KEYS"]))


def encrypt(text):
    return _configured().encrypt(text.encode()).decode()


def decrypt(token):
    if token.startswith("-----BEGIN"):
        raise ConfigError("A signing key in the database is not encrypted: run `flask --app lti_tool db upgrade`, "
                          "which encrypts it with KEY_ENCRYPTION_KEYS")
    try:
        return _configured().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ConfigError(
            "The tool's signing keys cannot be decrypted with any key of KEY_ENCRYPTION_KEYS. Set the key they were "
            "encrypted with (when rotating, keep the old key in the list, after the new one, until "
            "`flask --app lti_tool lti reencrypt-keys` has run). If that key is lost, so are the signing keys: "
            "`flask --app lti_tool lti forget-keys` deletes them and the tool makes a new one."
        ) from None  # cryptography's own traceback says nothing more


class EncryptedText(TypeDecorator):
    """Text stored encrypted; Python code reads and writes the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
