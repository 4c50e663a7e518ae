"""`flask demo seed` registers the demo platform with the tool, once."""

from sqlalchemy import func, select

from lti_tool.db import db
from lti_tool.demo.models import DemoKey
from lti_tool.launch import platforms
from lti_tool.launch.models import Deployment, Platform


def test_seed_registers_the_demo_platform(app):
    result = app.test_cli_runner().invoke(args=["demo", "seed"])

    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1/demo" in result.output
    platform = platforms.find("http://127.0.0.1/demo", "proctor-lti-demo")
    assert platform.name == "Demo platform"
    assert platform.auth_login_url == "http://127.0.0.1/demo/auth"
    assert platform.token_url == "http://127.0.0.1/demo/token"
    assert platform.jwks_url == "http://127.0.0.1/demo/jwks"
    assert platform.registered_via == "demo"
    assert [d.deployment_id for d in platform.deployments] == ["demo-deployment"]


def test_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0

    assert db.session.scalar(select(func.count()).select_from(Platform)) == 1
    assert db.session.scalar(select(func.count()).select_from(Deployment)) == 1
    assert db.session.scalar(select(func.count()).select_from(DemoKey)) == 1
