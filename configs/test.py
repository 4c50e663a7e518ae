"""Defaults for the test suite; tests override the database per run."""

SECRET_KEY = "test-only-secret"
TOOL_BASE_URL = "https://localhost"
DEMO_PLATFORM_URL = "http://127.0.0.1/demo"
DEMO_ENABLED = True
ALLOW_INSECURE_PLATFORMS = True
# The demo platform and the test platform run on loopback.
OUTBOUND_ALLOWED_NETWORKS = "127.0.0.0/8,::1/128"
LOG_LEVEL = "WARNING"
# Keep key generation cheap in tests; production keys are 2048 bits.
TOOL_KEY_BITS = 2048
# Tests run the sweeper and the grade sender by calling them, never on a timer.
BACKGROUND_JOBS = False
# Encrypts the tool's signing keys in the database: test-only, refused in production.
KEY_ENCRYPTION_KEYS = ("dGVzdC1vbmx5LWtleS1lbmNyeXB0aW9uLWtleS0wMDA=",)
