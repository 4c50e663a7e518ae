"""Production defaults. SECRET_KEY, TOOL_BASE_URL and KEY_ENCRYPTION_KEYS must come from the environment."""

SECRET_KEY = None
TOOL_BASE_URL = None
DEMO_ENABLED = False
LOG_LEVEL = "INFO"
# One JSON object per line, and one line per request and per socket session (gunicorn's access log is off then).
LOG_FORMAT = "json"
# Behind a TLS-terminating proxy: trust one hop of X-Forwarded-* headers.
PROXY_FIX_HOPS = 1
# Browsers reach this host only over https for a year after a visit. Without includeSubDomains: the names under the
# tool's host are the operator's, not the tool's, to commit (nginx may widen it).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
