"""Production defaults. SECRET_KEY, TOOL_BASE_URL and KEY_ENCRYPTION_KEYS must come from the environment."""

SECRET_KEY = None
TOOL_BASE_URL = None
DEMO_ENABLED = False
LOG_LEVEL = "INFO"
# Behind a TLS-terminating proxy: trust one hop of X-Forwarded-* headers.
PROXY_FIX_HOPS = 1
