"""`flask lti ...` commands an admin uses."""

from tests.lti_platform import LEARNER


def test_add_platform_then_list_then_launch(runner, client, test_platform):
    result = runner.invoke(args=[
        "lti", "add-platform", "--issuer", test_platform.issuer, "--client-id", "test-client",
        "--auth-login-url", test_platform.auth_url, "--token-url", test_platform.token_url,
        "--jwks-url", test_platform.jwks_url, "--deployment-id", "test-deployment", "--name", "Test LMS",
    ])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["lti", "list-platforms"]).output
    assert "Test LMS" in listed and "client=test-client" in listed and "test-deployment" in listed
    from tests.conftest import LtiLaunch
    assert LtiLaunch(client, test_platform).launch((LEARNER,)).status_code == 200


def test_add_platform_refuses_a_non_url(runner):
    result = runner.invoke(args=[
        "lti", "add-platform", "--issuer", "moodle", "--client-id", "c", "--auth-login-url", "x",
        "--token-url", "y", "--jwks-url", "z"])
    assert result.exit_code != 0
    assert "issuer must be" in str(result.exception)


def test_list_platforms_when_none(runner):
    assert "No platforms registered" in runner.invoke(args=["lti", "list-platforms"]).output


def test_urls_lists_what_an_admin_pastes(runner):
    output = runner.invoke(args=["lti", "urls"]).output
    assert "https://localhost/lti/config/canvas.json" in output and "https://localhost/lti/jwks" in output
    assert "lti registration-link" in output
