"""The tool's private keys are encrypted at rest with KEY_ENCRYPTION_KEYS: the database holds no PEM, the setting
can be rotated without losing a key, and a wrong or missing key is a clear configuration error."""

import jwt
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from lti_tool.config import ConfigError
from lti_tool.db import db
from lti_tool.launch import keys

NEW = Fernet.generate_key().decode()


def raw_keys():
    """What the database itself holds, read past the ORM."""
    return db.session.execute(text("SELECT kid, private_key_encrypted FROM tool_keys ORDER BY id")).all()


def sign(key):
    return jwt.encode({"iss": "tool"}, key.private_key_pem, algorithm="RS256", headers={"kid": key.kid})


def verifies(client, token):
    published = {k["kid"]: k for k in client.get("/lti/jwks").json["keys"]}
    key = published[jwt.get_unverified_header(token)["kid"]]
    return jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"]) == {"iss": "tool"}


def use_keys(app, *encryption_keys):
    """As a restart with another KEY_ENCRYPTION_KEYS does: every row is read again."""
    app.config["KEY_ENCRYPTION_KEYS"] = encryption_keys
    db.session.expire_all()


def test_the_database_holds_no_private_key_in_clear(app, client):
    key = keys.current()
    every_value = [value for row in db.session.execute(text("SELECT * FROM tool_keys")) for value in row]

    assert key.kid in every_value and not any("PRIVATE KEY" in str(value) for value in every_value)
    assert key.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
    [(_, stored)] = raw_keys()
    [configured] = app.config["KEY_ENCRYPTION_KEYS"]
    assert Fernet(configured).decrypt(stored.encode()).decode() == key.private_key_pem
    assert verifies(client, sign(key))


def test_rotating_the_encryption_key_keeps_every_signing_key(app, client, runner):
    old = app.config["KEY_ENCRYPTION_KEYS"]
    first = keys.current()
    token = sign(first)
    keys.rotate()  # two keys, both to re-encrypt

    use_keys(app, NEW, *old)  # the new key first: it encrypts, the old one still decrypts
    assert verifies(client, token)
    result = runner.invoke(args=["lti", "reencrypt-keys"])
    assert result.exit_code == 0, result.output
    assert "2 signing key(s)" in result.output
    assert all(Fernet(NEW).decrypt(stored.encode()) for _, stored in raw_keys())

    use_keys(app, NEW)  # the old key gone from the setting
    assert keys.published()[1].private_key_pem == first.private_key_pem
    assert verifies(client, token)
    assert verifies(client, sign(keys.current()))


def test_a_key_the_rows_were_not_encrypted_with_is_a_clear_error(app, client, caplog):
    keys.current()
    use_keys(app, NEW)

    with pytest.raises(ConfigError, match="cannot be decrypted with any key of KEY_ENCRYPTION_KEYS") as error:
        keys.current()
    assert error.value.__suppress_context__  # no cryptography internals chained to it

    response = client.get("/lti/jwks")
    assert response.status_code == 500
    assert "KEY_ENCRYPTION_KEYS" not in response.get_data(as_text=True)  # a setting is the admin's business
    assert "cannot be decrypted with any key of KEY_ENCRYPTION_KEYS" in caplog.text


def test_a_key_left_in_clear_is_refused_not_used(app):
    keys.current()
    pem = keys.new_private_pem(app.config["TOOL_KEY_BITS"])
    db.session.execute(text("UPDATE tool_keys SET private_key_encrypted = :pem"), {"pem": pem})
    db.session.commit()
    db.session.expire_all()

    with pytest.raises(ConfigError, match="not encrypted: run `flask --app lti_tool db upgrade`"):
        keys.current()


def test_after_losing_the_encryption_key_forget_keys_makes_a_new_signing_key(app, client, runner):
    lost = keys.current().kid
    use_keys(app, NEW)

    result = runner.invoke(args=["lti", "forget-keys", "--yes"])

    assert result.exit_code == 0, result.output
    [(kid, stored)] = raw_keys()
    assert kid != lost and Fernet(NEW).decrypt(stored.encode())
    assert [k["kid"] for k in client.get("/lti/jwks").json["keys"]] == [kid]
