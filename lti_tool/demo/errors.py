"""Why the demo platform refused a request: a page for browsers, RFC 6749-style JSON for services."""

from lti_tool.errors import AppError


class DemoRefused(AppError):
    """A browser-facing request failed a check; `check` names which."""

    title = "The demo platform refused this request"
    code = "demo_refused"

    def __init__(self, check, message):
        super().__init__(f"Check failed: {check}. {message}")
        self.check = check


class ServiceError(Exception):
    """A token, AGS or NRPS request refused with a JSON body `{"error": ..., "error_description": ...}`;
    `retry_after` (seconds) says when a refusal that is only for now may be tried again."""

    def __init__(self, error, description, *, status=400, retry_after=None):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.retry_after = retry_after

    def body(self):
        """The JSON body of the refusal."""
        return {"error": self.error, "error_description": self.description}
