"""Proctor LTI: an LTI 1.3 tool for proctored multiple-choice exams."""

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from lti_tool import (
    body_limits,
    db,
    errors,
    health,
    i18n,
    metrics,
    plain_text,
    realtime,
    request_log,
    security_headers,
    static_files,
)
from lti_tool import config as app_config
from lti_tool.launch import registry

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None):
    """Build the app. `config` overrides configs/<APP_ENV>.py and the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=None,  # static_files serves /static
    )
    app_config.load(app, config)
    app.config["MIGRATIONS_DIR"] = ROOT / "migrations"
    Path(app.instance_path).mkdir(exist_ok=True)
    request_log.init_app(app)
    body_limits.init_app(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    _import_models()
    db.init_app(app)
    errors.init_app(app)
    metrics.init_app(app)
    plain_text.init_app(app)
    realtime.init_app(app)
    registry.init_app(app)  # after realtime: it listens on the bus
    i18n.init_app(app)  # before static_files: it compiles the scripts' catalogues that static_files fingerprints
    static_files.init_app(app)
    _register_blueprints(app)
    health.init_app(app)
    security_headers.init_app(app)
    return app


def _import_models():
    """Every model module, so the metadata (and Alembic) sees every table."""
    from lti_tool import audit  # noqa: F401
    from lti_tool.content import models as content_models  # noqa: F401
    from lti_tool.demo import models as demo_models  # noqa: F401
    from lti_tool.exam import models as exam_models  # noqa: F401
    from lti_tool.identity import models as identity_models  # noqa: F401
    from lti_tool.launch import models as launch_models  # noqa: F401
    from lti_tool.proctor import models as proctor_models  # noqa: F401
    from lti_tool.proctor.camera import models as camera_models  # noqa: F401


def _register_blueprints(app):
    from lti_tool.bank.views import bp as bank_bp
    from lti_tool.content.views import bp as content_bp
    from lti_tool.exam.views import bp as exam_bp
    from lti_tool.identity.views import bp as session_bp
    from lti_tool.identity.views import team_bp
    from lti_tool.landing import bp as landing_bp
    from lti_tool.launch.cli import cli as lti_cli
    from lti_tool.launch.views import bp as launch_bp
    from lti_tool.proctor.camera.views import bp as camera_bp
    from lti_tool.proctor.review_views import bp as review_bp
    from lti_tool.proctor.views import bp as proctor_bp

    for blueprint in (landing_bp, launch_bp, session_bp, team_bp, exam_bp, bank_bp, proctor_bp, review_bp,
                      camera_bp, content_bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(lti_cli)
    if app.config["DEMO_ENABLED"]:
        from lti_tool.demo.cli import cli as demo_cli
        from lti_tool.demo.views import bp as demo_bp

        app.register_blueprint(demo_bp)
        app.cli.add_command(demo_cli)
