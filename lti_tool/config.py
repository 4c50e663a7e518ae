"""The one place that reads configuration: configs/ defaults, then the environment."""

import ipaddress
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

CONFIGS_DIR = Path(__file__).resolve().parent.parent / "configs"
ENVIRONMENTS = ("development", "test", "production")
LOG_FORMATS = ("text", "json")


def words(raw):
    """A list setting: values separated by spaces or commas."""
    return tuple(raw.replace(",", " ").split())


def flag(raw):
    """A yes/no setting: 1, true, yes or on; 0, false, no or off."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


# Environment variables the tool reads, with the type each one is parsed to.
ENV_VARS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "REDIS_URL": str,
    "REDIS_CLUSTER": flag,
    "REDIS_SENTINEL": str,
    "AGORA_APP_ID": str,
    "AGORA_APP_CERT": str,
    "TOOL_BASE_URL": str,
    "DEMO_PLATFORM_URL": str,
    "BIND": str,
    "LOG_LEVEL": str,
    "LOG_FORMAT": str,
    "PROXY_FIX_HOPS": int,
    "LAUNCH_TOKEN_TTL": int,
    "OUTBOUND_HTTP_TIMEOUT": float,
    "OUTBOUND_HTTP_DEADLINE": float,
    "OUTBOUND_ALLOWED_NETWORKS": str,
    "ANSWER_GRACE_SECONDS": int,
    "SOCKET_MESSAGES_PER_SECOND": float,
    "SOCKET_MESSAGE_BURST": int,
    "PASSBACK_BACKOFF_SECONDS": float,
    "SNAPSHOT_DIR": str,
    "SNAPSHOT_MAX_BYTES": int,
    "KEY_ENCRYPTION_KEYS": words,
    "FRAME_ANCESTORS": words,
    "METRICS_TOKEN": str,
    "DEFAULT_LOCALE": str,
    "PSEUDO_LOCALE": flag,
}

DEFAULTS = {
    "TOOL_NAME": "Proctor LTI",
    # The language of a page when neither the launch nor the browser names one the tool has (lti_tool/i18n/).
    "DEFAULT_LOCALE": "en",
    # Offer the pseudo-locale en-001 (lti_tool/i18n/pseudo.py), for checking that pages are wholly translated.
    "PSEUDO_LOCALE": False,
    "DATABASE_URL": None,
    "REDIS_URL": None,
    # REDIS_URL names one node of a Redis Cluster (7 or later): the bus uses sharded pub/sub on its masters.
    "REDIS_CLUSTER": False,
    # The master's name when REDIS_URL names Redis Sentinels (redis://host:26379,host:26379/0) rather than a Redis.
    "REDIS_SENTINEL": None,
    "AGORA_APP_ID": None,
    "AGORA_APP_CERT": None,
    # Camera snapshots: kept in the database unless a directory is given (shared by every host).
    "SNAPSHOT_DIR": None,
    "SNAPSHOT_MAX_BYTES": 200 * 1024,
    # The tool's public URL; unset outside production: http://localhost:<BIND's port>.
    "TOOL_BASE_URL": None,
    "DEMO_ENABLED": False,
    # Unset: the tool's own address with the other loopback name (localhost <-> 127.0.0.1), so the demo LMS frames
    # the tool from another site on any port.
    "DEMO_PLATFORM_URL": None,
    # The address gunicorn listens on (configs/gunicorn.conf.py reads it too, with the same default).
    "BIND": "127.0.0.1:5000",
    "PROXY_FIX_HOPS": 0,
    # A bearer token for /metrics; unset: /metrics answers loopback and private addresses only.
    "METRICS_TOKEN": None,
    # Platforms on plain http (the demo and the test platform); never in production.
    "ALLOW_INSECURE_PLATFORMS": False,
    "TOOL_KEY_BITS": 2048,
    # A launch token lives this long; open pages refresh it well before expiry.
    "LAUNCH_TOKEN_TTL": 15 * 60,
    # No refresh is granted this long after the LTI launch itself: launch again.
    "LAUNCH_SESSION_MAX": 12 * 3600,
    "LOGIN_STATE_TTL": 10 * 60,
    # Calls to platforms: each read waits at most OUTBOUND_HTTP_TIMEOUT, a whole request OUTBOUND_HTTP_DEADLINE.
    "OUTBOUND_HTTP_TIMEOUT": 10.0,
    "OUTBOUND_HTTP_DEADLINE": 30.0,
    # Networks the tool may call besides public addresses (comma-separated CIDRs, e.g. an LMS at 10.20.0.0/16).
    "OUTBOUND_ALLOWED_NETWORKS": "",
    # Answers are accepted this long after the deadline, for network latency.
    "ANSWER_GRACE_SECONDS": 5,
    # Background jobs every worker runs (see lti_tool/background.py); tests call the jobs directly.
    "BACKGROUND_JOBS": True,
    "SWEEP_INTERVAL_SECONDS": 1.0,
    "PASSBACK_INTERVAL_SECONDS": 2.0,
    "RETENTION_INTERVAL_SECONDS": 3600.0,
    # A grade the LMS did not take is tried again after this, doubling per try (with jitter, capped).
    "PASSBACK_BACKOFF_SECONDS": 5.0,
    "ROLE_MAP_PATH": str(CONFIGS_DIR / "roles.toml"),
    "SOCK_SERVER_OPTIONS": {"ping_interval": 25, "max_message_size": 65536},
    # Messages waiting for one socket; a client that falls this far behind is closed as too slow.
    "SOCKET_QUEUE_SIZE": 256,
    # A dashboard hears every student of the room, so its queue holds a whole room's burst.
    "DASHBOARD_QUEUE_SIZE": 8192,
    # A closing socket that has not taken its close frame after this many seconds is cut.
    "SOCKET_CLOSE_TIMEOUT": 5.0,
    # A socket must say hello with its launch token within this many seconds.
    "SOCKET_HELLO_TIMEOUT": 10.0,
    # What one socket may send: a page sends a heartbeat every few seconds and a violation now and then.
    "SOCKET_MESSAGES_PER_SECOND": 5.0,
    "SOCKET_MESSAGE_BURST": 30,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "JSON_SORT_KEYS": False,
    # Fernet keys the tool's private signing keys are encrypted with in the database: the first encrypts, every
    # one decrypts (see README, Configuration). configs/ hold dev-only ones; production needs its own.
    "KEY_ENCRYPTION_KEYS": (),
    # Origins allowed to frame the tool besides the registered platforms' (an LMS served from another host).
    "FRAME_ANCESTORS": (),
    # How long a worker keeps the frame-ancestors it read from the platforms table (its own saves drop it at once).
    "FRAME_ANCESTORS_CACHE_SECONDS": 30.0,
    # The Strict-Transport-Security header's value; production only.
    "STRICT_TRANSPORT_SECURITY": None,
    # "text" for people, "json" (production) for a log collector: one object per line, a line per request.
    "LOG_FORMAT": "text",
}

# Values that mean "nobody changed the default" and must never reach production.
KNOWN_DEV_SECRETS = {"dev-only-secret-change-me", "test-only-secret", "", None}
KNOWN_DEV_KEY_ENCRYPTION_KEYS = {
    "ZGV2ZWxvcG1lbnQtb25seS1rZXktZW5jcnlwdGlvbiE=",  # configs/development.py
    "dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0wMDA=",  # configs/test.py
}
MAKE_KEY_ENCRYPTION_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
# What frame-ancestors can name: a scheme, a host (or *.domain) and a port; nothing that could bend the header.
ORIGIN = re.compile(r"https?://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:[0-9]{1,5})?")


class ConfigError(RuntimeError):
    """The configuration cannot run the tool; the message says what to set."""


def load(app, overrides=None):
    """Fill app.config from configs/<APP_ENV>.py, the environment, then overrides."""
    overrides = dict(overrides or {})
    env_name = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "development")
    if env_name not in ENVIRONMENTS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env_name!r}")
    app.config.update(DEFAULTS)
    app.config.from_pyfile(str(CONFIGS_DIR / f"{env_name}.py"))
    app.config["APP_ENV"] = env_name
    for name, kind in ENV_VARS.items():
        raw = os.environ.get(name)
        if raw not in (None, ""):
            app.config[name] = _parse(name, raw, kind)
    app.config.update(overrides)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'proctor.sqlite3'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _sqlalchemy_url(app.config["DATABASE_URL"])
    app.config["TOOL_BASE_URL"] = (app.config["TOOL_BASE_URL"] or "").rstrip("/") or None
    app.config["OUTBOUND_ALLOWED_NETWORKS"] = _networks(app.config["OUTBOUND_ALLOWED_NETWORKS"])
    if env_name == "production":
        _check_production(app.config)
    else:
        _derive_local_urls(app.config)
    _check_key_encryption_keys(app.config["KEY_ENCRYPTION_KEYS"])
    _check_origins("FRAME_ANCESTORS", app.config["FRAME_ANCESTORS"])
    if app.config["REDIS_CLUSTER"] and app.config["REDIS_SENTINEL"]:
        raise ConfigError("Set REDIS_CLUSTER or REDIS_SENTINEL, not both: a Redis Cluster fails over by itself")
    if app.config["LOG_FORMAT"] not in LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {app.config['LOG_FORMAT']!r}")


def _derive_local_urls(config):
    """Outside production: the tool's and the demo's addresses from the port gunicorn listens on, unless set."""
    config["TOOL_BASE_URL"] = config["TOOL_BASE_URL"] or local_base_url(config["BIND"])
    if config["DEMO_ENABLED"] and not config["DEMO_PLATFORM_URL"]:
        config["DEMO_PLATFORM_URL"] = demo_platform_url(config["TOOL_BASE_URL"])


def local_base_url(bind):
    """The tool's address on this machine when it listens on BIND ("127.0.0.1:8000" -> http://localhost:8000)."""
    port = bind.rpartition(":")[2]
    if not port.isdigit():
        raise ConfigError(f"BIND={bind!r} names no port to derive TOOL_BASE_URL from: set TOOL_BASE_URL "
                          "(e.g. http://localhost:5000)")
    return f"http://localhost:{port}"


# The demo LMS is served by the tool itself under the other loopback name: another site, same server.
OTHER_LOOPBACK_NAME = {"localhost": "127.0.0.1", "127.0.0.1": "localhost"}


def demo_platform_url(tool_base_url):
    """Where the demo LMS lives: the tool's own address under the other loopback name, path /demo."""
    parts = urlsplit(tool_base_url)
    other = OTHER_LOOPBACK_NAME.get(parts.hostname)
    if other is None:
        raise ConfigError(f"Set DEMO_PLATFORM_URL: the demo LMS must be another site than the tool, and only "
                          f"localhost and 127.0.0.1 have a known other name, not {parts.hostname!r} "
                          f"(TOOL_BASE_URL={tool_base_url})")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{other}{port}/demo"


def _sqlalchemy_url(url):
    """postgres:// and postgresql:// mean psycopg2, the driver wsgi.py makes gevent-friendly."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def _parse(name, raw, kind):
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not a valid {kind.__name__}") from exc


def _networks(value):
    """OUTBOUND_ALLOWED_NETWORKS ("10.20.0.0/16, fd00::/8") as a tuple of ip_network."""
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in value.split(",") if part.strip())
    except ValueError as exc:
        raise ConfigError(f"OUTBOUND_ALLOWED_NETWORKS={value!r} must be networks separated by commas, "
                          f"e.g. 10.20.0.0/16: {exc}") from exc


def _check_key_encryption_keys(keys):
    if not keys:
        raise ConfigError("KEY_ENCRYPTION_KEYS must be set: the tool's signing keys are encrypted with it in the "
                          f"database; make a key with: {MAKE_KEY_ENCRYPTION_KEY}")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            # The value itself is a secret: never in a message.
            raise ConfigError(
                f"KEY_ENCRYPTION_KEYS: key {position} is not a Fernet key (32 url-safe base64-encoded bytes); "
                f"make one with: {MAKE_KEY_ENCRYPTION_KEY}"
            ) from None


def _check_origins(name, origins):
    for origin in origins:
        if not ORIGIN.fullmatch(origin):
            raise ConfigError(f"{name}: {origin!r} is not an origin like https://lms.example.edu "
                              "or https://*.example.edu (lower case, no path)")


def _check_production(config):
    if config.get("SECRET_KEY") in KNOWN_DEV_SECRETS or len(config["SECRET_KEY"]) < 32:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production"
        )
    if not config.get("TOOL_BASE_URL"):
        raise ConfigError("TOOL_BASE_URL must be set in production (e.g. https://proctor.example.edu)")
    if config.get("ALLOW_INSECURE_PLATFORMS"):
        raise ConfigError("Platforms on plain http cannot be allowed in production")
    if config.get("DEMO_ENABLED"):
        raise ConfigError("The demo platform cannot be enabled in production")
    if set(config["KEY_ENCRYPTION_KEYS"]) & KNOWN_DEV_KEY_ENCRYPTION_KEYS:
        raise ConfigError("KEY_ENCRYPTION_KEYS must be a key of your own in production, not the development or "
                          f"test one; make a key with: {MAKE_KEY_ENCRYPTION_KEY}")
