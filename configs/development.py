"""Defaults for a developer's machine: SQLite, in-process bus, the demo platform."""

SECRET_KEY = "dev-only-secret-change-me"
# TOOL_BASE_URL and DEMO_PLATFORM_URL follow BIND's port: the tool at http://localhost:PORT, the demo platform
# at http://127.0.0.1:PORT/demo, so the demo's iframe is cross-site exactly as an LMS iframe is.
DEMO_ENABLED = True
ALLOW_INSECURE_PLATFORMS = True
# The demo platform runs on loopback.
OUTBOUND_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
LOG_LEVEL = "INFO"
# Encrypts the tool's signing keys in the database: dev-only, refused in production.
KEY_ENCRYPTION_KEYS = ("ZGV2ZWxvcG1lbnQtb25seS1rZXktZW5jcnlwdGlvbiE=",)
