"""Defaults for a developer's machine: SQLite, in-process bus, the demo platform."""

SECRET_KEY = "dev-only-secret-change-me"
# The tool is served from localhost and the demo platform from 127.0.0.1, so the
# demo's iframe is cross-site exactly as an LMS iframe is.
TOOL_BASE_URL = "http://localhost:5000"
DEMO_PLATFORM_URL = "http://127.0.0.1:5000/demo"
DEMO_ENABLED = True
ALLOW_INSECURE_PLATFORMS = True
# The demo platform runs on loopback.
OUTBOUND_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
LOG_LEVEL = "INFO"
# Encrypts the tool's signing keys in the database: dev-only, refused in production.
KEY_ENCRYPTION_KEYS = ("ZGV2ZWxvcG1lbnQtb25seS1rZXktZW5jcnlwdGlvbiE=",)
