"""The platform key sets (JWKS) the tool accepts: a few RSA public keys and nothing else, checked before a key
set is stored in platforms.jwks_cache or used to check a launch."""

import jwt

MAX_KEYS = 20
# The members of an RSA public key that the tool keeps; others (x5c, x5t, ...) are dropped, not stored.
KEPT_MEMBERS = ("kty", "kid", "alg", "use", "n", "e")
# Members of a private or symmetric key (RFC 7518, 6.3.2 and 6.4): a platform never publishes them.
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


class InvalidKeySet(ValueError):
    """Not a key set the tool accepts; the message says why."""


def checked(document):
    """The key set with only the members the tool keeps; InvalidKeySet unless it is a JSON object whose
    `keys` are 1 to MAX_KEYS RSA public keys."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise InvalidKeySet("not a JWKS document (a JSON object with a list of keys)")
    found = document["keys"]
    if not 1 <= len(found) <= MAX_KEYS:
        raise InvalidKeySet(f"{len(found)} keys, where a platform's key set has 1 to {MAX_KEYS}")
    return {"keys": [_checked_key(key, number) for number, key in enumerate(found, 1)]}


def _checked_key(key, number):
    if not isinstance(key, dict):
        raise InvalidKeySet(f"key {number} is not a JSON object")
    if key.get("kty") != "RSA":
        raise InvalidKeySet(f"key {number} is of type {str(key.get('kty'))[:20]!r}, not RSA")
    private = sorted(set(PRIVATE_MEMBERS) & key.keys())
    if private:
        raise InvalidKeySet(f"key {number} carries private key members ({', '.join(private)})")
    kept = {name: key[name] for name in KEPT_MEMBERS if name in key}
    if not all(isinstance(value, str) for value in kept.values()):
        raise InvalidKeySet(f"key {number} has a member that is not a string")
    try:
        jwt.PyJWK(kept)
    except jwt.PyJWTError as exc:
        raise InvalidKeySet(f"key {number} is not a usable RSA public key ({exc.__class__.__name__})") from exc
    return kept
