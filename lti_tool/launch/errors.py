"""Why a login, launch or registration was refused. Each names the check that failed."""

from lti_tool.errors import AppError


class LaunchRefused(AppError):
    """A launch failed one of its checks; `check` names which, for the page and the log."""

    title = "This launch could not be accepted"
    code = "launch_refused"

    def __init__(self, check, message, *, status=400, hint=None):
        super().__init__(message, hint=hint or "Go back to your course page and open the tool again.")
        self.check = check
        self.http_status = status


class StateCookieMissing(LaunchRefused):
    """The browser did not send back the login's state cookie (third-party cookies blocked)."""

    def __init__(self, login_state):
        super().__init__("state", "Your browser did not keep the tool's login cookie inside the LMS page.")
        self.login_state = login_state


class RegistrationFailed(AppError):
    title = "Registration failed"
    code = "registration_failed"
    http_status = 400
