"""The floor for bench/launch_cost.py: a bare pylti1p3 Flask tool, as its README shows one, with nothing of the
tool behind it (no database, roles, users, courses, audit or launch token). Its login redirects to the platform
with the state and nonce pylti1p3 keeps (a cookie and Flask's session), its launch validates the platform's
RS256 id_token (the key set given at start, as the tool keeps it) and answers a page carrying a launch id where
the tool's enter page carries the launch token. Served like the tool:

    PYTHONPATH=bench BARE_LTI_PLATFORM='{...}' gunicorn --config configs/gunicorn.conf.py bare_lti_app:app

BARE_LTI_PLATFORM is JSON: issuer, client_id, deployment_id, auth_login_url, auth_token_url, key_set (the
platform's JWKS) and private_key (the tool's PEM)."""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402

from flask import Flask, request  # noqa: E402
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest  # noqa: E402
from pylti1p3.tool_config import ToolConfDict  # noqa: E402

platform = json.loads(os.environ["BARE_LTI_PLATFORM"])
tool_conf = ToolConfDict({platform["issuer"]: [{
    "default": True, "client_id": platform["client_id"], "auth_login_url": platform["auth_login_url"],
    "auth_token_url": platform["auth_token_url"], "key_set_url": None, "key_set": platform["key_set"],
    "private_key_file": None, "deployment_ids": [platform["deployment_id"]],
}]})
tool_conf.set_private_key(platform["issuer"], platform["private_key"], client_id=platform["client_id"])

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]


@app.get("/healthz")
def health():
    return {"status": "ok"}


@app.get("/lti/login")
def login():
    oidc = FlaskOIDCLogin(FlaskRequest(), tool_conf)
    return oidc.redirect(request.args["target_link_uri"])


@app.post("/lti/launch")
def launch():
    message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf)
    data = message_launch.get_launch_data()
    launch_id = json.dumps({"token": message_launch.get_launch_id(), "sub": data["sub"]})
    return ('<!doctype html><title>Launched</title>'
            f'<script type="application/json" id="launch-data">{launch_id}</script>')
