"""LTI endpoints: OIDC login, launch, JWKS, dynamic registration, Canvas config, deep linking."""

import time
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from lti_tool.db import db
from lti_tool.errors import Forbidden
from lti_tool.exam import proctors
from lti_tool.exam import services as exam_services
from lti_tool.identity import access
from lti_tool.identity import services as identity_services
from lti_tool.identity.roles import ToolRole, load_map
from lti_tool.launch import (
    deep_linking,
    http,
    keys,
    login,
    nrps,
    platforms,
    registration,
    registration_links,
    services,
    tool_metadata,
    validation,
)
from lti_tool.launch.errors import StateCookieMissing
from lti_tool.metrics.registry import LAUNCH_SECONDS

bp = Blueprint("launch", __name__)


def _base_url():
    return current_app.config["TOOL_BASE_URL"]


def _origin():
    return request.remote_addr or "unknown"


PURGE_INTERVAL_SECONDS = 600


def _purge_now_and_then():
    """Delete expired login states and nonces, at most every ten minutes per worker."""
    now = time.monotonic()
    if now - current_app.extensions.get("lti_last_purge", float("-inf")) >= PURGE_INTERVAL_SECONDS:
        current_app.extensions["lti_last_purge"] = now
        services.purge_expired()


@bp.route("/lti/login", methods=["GET", "POST"])
def oidc_login():
    config = current_app.config
    _purge_now_and_then()
    started = login.start(
        request.values.to_dict(), request.cookies,
        launch_url=tool_metadata.urls(_base_url())["launch"],
        ttl_seconds=config["LOGIN_STATE_TTL"], key_bits=config["TOOL_KEY_BITS"],
    )
    if started.storage_target:
        response = current_app.make_response(render_template(
            "launch/login_storage.html", started=started,
        ))
    else:
        response = redirect(started.redirect_url)
    started.cookies.apply(response)
    return response


@bp.post("/lti/launch")
@LAUNCH_SECONDS.time()
def launch():
    try:
        context, landing = _accept_launch(request.form.to_dict())
    except StateCookieMissing as missing:
        return _recover_from_missing_cookie(missing.login_state)
    return render_template("launch/enter.html", token=access.issue_token(context),
                           landing=_landing_url(context, landing))


@bp.get("/lti/launch")
def launch_address():
    """An LMS checks the launch URL with a plain GET when a teacher saves the activity (Moodle does)."""
    return render_template("launch/launch_address.html")


@bp.post("/lti/launch/storage")
def launch_checked_by_platform_storage():
    """The launch again, from the tool's own page, with the state it read from the platform's storage.
    Only that page can make this request: it is JSON, which a form of another site cannot send (and a
    script of another site cannot without a CORS preflight, which the tool never grants)."""
    body = _same_origin_json()
    form = {name: body.get(name) for name in ("id_token", "state")}
    context, landing = _accept_launch(form, storage_state=body.get("lti_storage_state"))
    return {"token": access.issue_token(context), "landing": _landing_url(context, landing)}


def _accept_launch(form, storage_state=None):
    config = current_app.config
    message_launch = validation.validate(form, request.cookies, key_bits=config["TOOL_KEY_BITS"],
                                         http=http.session(http.KEY_SET), storage_state=storage_state)
    context, landing = services.record(message_launch, load_map(config["ROLE_MAP_PATH"]), origin=_origin())
    g.launch = context  # who launched, for the request's log line (lti_tool/request_log.py)
    return context, landing


def _landing_url(context, landing):
    """The page a launch lands on, in the launch's language and the person's time zone in the LMS: each page
    hands `lang` and `tz` on to the next."""
    return url_for(landing, **{name: value for name, value in (("lang", context.locale), ("tz", context.time_zone))
                               if value})


def _same_origin_json():
    if request.headers.get("Sec-Fetch-Site", "same-origin") != "same-origin" or not request.is_json:
        raise Forbidden("This request must come from the tool's own page.",
                        hint="Go back to your course page and open the tool again.")
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _recover_from_missing_cookie(login_state):
    """No state cookie: the tool's page asks the platform's storage (LTI Platform Storage) and sends the
    launch again as JSON; when that storage is not there or does not know the state, a new window."""
    if login_state.storage_target and "lti_storage_unavailable" not in request.form:
        return render_template(
            "launch/storage_check.html",
            id_token=request.form.get("id_token", ""),
            state=login_state.state,
            storage_target=login_state.storage_target,
            platform_origin=platforms.origin(login_state.platform),
        )
    params = dict(login_state.login_params, lti1p3_new_window="1")
    reopen_url = f"{url_for('launch.oidc_login')}?{urlencode(params)}"
    return render_template("launch/new_window.html", reopen_url=reopen_url), 401


@bp.get("/lti/jwks")
def jwks():
    response = jsonify(keys.jwks(current_app.config["TOOL_KEY_BITS"]))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/lti/register")
def register_without_link():
    raise registration_links.RegistrationLinkRefused(
        "Registering an LMS with this tool needs a one-time registration link.",
        hint=registration_links.NEEDS_A_LINK_HINT,
    )


@bp.get("/lti/register/<token>")
def register(token):
    config = current_app.config
    link = registration_links.usable(token)
    platform, deployment_id = registration.register(
        link, request.args.get("openid_configuration"), request.args.get("registration_token"),
        http=http.session(), base_url=_base_url(), tool_name=config["TOOL_NAME"],
        allow_http=config["ALLOW_INSECURE_PLATFORMS"], origin=_origin(),
    )
    db.session.commit()
    return render_template("launch/registered.html", platform=platform, deployment_id=deployment_id)


@bp.get("/lti/config/canvas.json")
def canvas_config():
    return jsonify(tool_metadata.canvas_config(_base_url(), current_app.config["TOOL_NAME"]))


@bp.post("/api/course/roster/refresh")
@access.require_launch()
def refresh_roster():
    """Fetch the course roster from the LMS (NRPS) so students who never launched are listed too. For the course's
    staff and whoever an exam lists as its proctor (the live room asks for it)."""
    if not (g.launch.has_any(ToolRole.TEST_MAKER, ToolRole.PROCTOR)
            or proctors.proctors_any(g.launch.course_id, g.launch.user_id)):
        raise Forbidden("Your role in this course does not allow this.")
    course = identity_services.course_of(g.launch)
    return nrps.sync(course, load_map(current_app.config["ROLE_MAP_PATH"]))


@bp.get("/lti/deep-link")
def deep_link():
    return render_template("launch/deep_link.html")


@bp.get("/api/deep-link")
@access.require_launch(ToolRole.TEST_MAKER)
def deep_link_options():
    launch = deep_linking.deep_linking_launch(g.launch)
    dl_settings = deep_linking.settings(launch)
    exams = exam_services.list_exams(g.launch.course_id)
    return {
        "title": dl_settings.get("title"),
        "exams": [{"id": e.id, "title": e.title} for e in exams],
    }


@bp.post("/api/deep-link")
@access.require_launch(ToolRole.TEST_MAKER)
def deep_link_respond():
    launch = deep_linking.deep_linking_launch(g.launch)
    body = request.get_json(silent=True) or {}
    if body.get("exam_id") is not None:
        exam = exam_services.get_exam(g.launch.course_id, body["exam_id"])
    else:
        exam = exam_services.create_exam(
            g.launch.course_id, body.get("title"), actor_user_id=g.launch.user_id, origin=_origin(),
        )
    return_url, jwt = deep_linking.response(
        launch, exam, launch_url=tool_metadata.urls(_base_url())["launch"],
        key_bits=current_app.config["TOOL_KEY_BITS"],
    )
    db.session.commit()
    return {"return_url": return_url, "jwt": jwt, "exam": {"id": exam.id, "title": exam.title}}
