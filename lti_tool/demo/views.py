"""The demo LTI 1.3 platform: course page, OIDC auth, JWKS, token, AGS, NRPS, deep linking return, and the
gradebook with its outage switch."""

import functools

from flask import Blueprint, jsonify, make_response, redirect, render_template, request, url_for

from lti_tool import security_headers
from lti_tool.demo import ags, auth, deep_linking, endpoints, keys, launcher, nrps, oauth, outage, registration, roster
from lti_tool.demo.errors import DemoRefused, ServiceError

bp = Blueprint("demo", __name__, url_prefix="/demo")


@bp.errorhandler(ServiceError)
def service_error(exc):
    """Token, AGS and NRPS refusals as JSON; token problems also say so in WWW-Authenticate."""
    response = jsonify(exc.body())
    response.status_code = exc.status
    if exc.status in (401, 403):
        response.headers["WWW-Authenticate"] = f'Bearer error="{exc.error}"'
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _json(body, media_type, status=200):
    """A JSON response with an LTI service media type."""
    response = jsonify(body)
    response.status_code = status
    response.mimetype = media_type
    return response


def _gradebook_service(view):
    """Decorator: while the demo gradebook is offline, answer 503 instead of serving the view."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        outage.check_gradebook_online()
        return view(*args, **kwargs)

    return wrapped


def _bearer(*scopes):
    """Decorator: the request must carry a demo access token holding one of these scopes."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            oauth.check_bearer(request.headers.get("Authorization"), *scopes)
            return view(*args, **kwargs)

        return wrapped

    return decorator


@bp.get("")
def course():
    """The demo course page, always served from the demo's own host so the tool is framed cross-site."""
    if request.host != endpoints.platform_host():
        return redirect(endpoints.platform_url())
    registration.ensure_registered(origin="demo-page")
    locale = launcher.chosen_locale(request.args.get("locale"))
    response = make_response(render_template(
        "demo/course.html", course=roster.COURSE, launches=launcher.course_launches(locale),
        languages=launcher.languages(), locale=locale,
        deep_linking=launcher.deep_linking_launch(), tool_origin=endpoints.tool_origin(),
    ))
    # The frame loads the tool, and the demo's own auth page on the way (the OIDC redirect).
    response.headers["Content-Security-Policy"] = security_headers.policy(
        frame_ancestors="'self'", connect_src="'self'", extra=[f"frame-src {endpoints.tool_origin()} 'self'"])
    return response


@bp.get("/auth")
def authorize():
    """OIDC authentication: answer the tool's request with an auto-submitting id_token form."""
    answer = auth.authorize(request.args.to_dict())
    return render_template("demo/auth_post.html", answer=answer)


@bp.get("/jwks")
def jwks():
    """The demo platform's public keys."""
    return jsonify(keys.jwks())


@bp.post("/token")
@_gradebook_service
def token():
    """OAuth2 client_credentials grant with the tool's signed client assertion."""
    response = jsonify(oauth.issue_token(request.form.to_dict()))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/ags/lineitems")
@_gradebook_service
@_bearer(ags.SCOPE_LINEITEM, ags.SCOPE_LINEITEM_READONLY)
def list_line_items():
    """The course's line items, filtered by resource_link_id, resource_id or tag."""
    items = ags.list_line_items(resource_link_id=request.args.get("resource_link_id"),
                                resource_id=request.args.get("resource_id"), tag=request.args.get("tag"))
    return _json(items, ags.LINEITEM_CONTAINER_TYPE)


@bp.post("/ags/lineitems")
@_gradebook_service
@_bearer(ags.SCOPE_LINEITEM)
def create_line_item():
    """Add a line item (a gradebook column)."""
    return _json(ags.create_line_item(request.get_json(silent=True)), ags.LINEITEM_TYPE, status=201)


@bp.get("/ags/lineitems/<int:item_id>")
@_gradebook_service
@_bearer(ags.SCOPE_LINEITEM, ags.SCOPE_LINEITEM_READONLY)
def get_line_item(item_id):
    """One line item."""
    return _json(ags.line_item_json(ags.get_line_item(item_id)), ags.LINEITEM_TYPE)


@bp.post("/ags/lineitems/<int:item_id>/scores")
@_gradebook_service
@_bearer(ags.SCOPE_SCORE)
def post_score(item_id):
    """Record a user's score for a line item."""
    ags.record_score(item_id, request.get_json(silent=True))
    return "", 204


@bp.get("/ags/lineitems/<int:item_id>/results")
@_gradebook_service
@_bearer(ags.SCOPE_RESULT_READONLY)
def results(item_id):
    """The latest result of each user, or of the user_id asked for."""
    return _json(ags.results(item_id, request.args.get("user_id")), ags.RESULT_CONTAINER_TYPE)


@bp.get("/nrps/memberships")
@_bearer(nrps.SCOPE)
def memberships():
    """The course roster."""
    return _json(nrps.membership_container(), nrps.MEMBERSHIP_CONTAINER_TYPE)


@bp.post("/deep-link-return")
def deep_link_return():
    """Receive the tool's deep linking response and show, inside the frame, what was added."""
    titles = deep_linking.receive(request.form.get("JWT"))
    return render_template("demo/deep_link_added.html", titles=titles)


@bp.get("/gradebook")
def gradebook():
    """Scores per line item and student, and the outage switch."""
    return render_template("demo/gradebook.html", course=roster.COURSE, columns=ags.gradebook(),
                           offline_since=outage.offline_since(), retry_after=outage.RETRY_AFTER_SECONDS)


@bp.post("/gradebook/outage")
def gradebook_outage():
    """Take the gradebook offline (offline=1) or bring it back (offline=0), then show the gradebook."""
    wanted = request.form.get("offline")
    if wanted not in ("0", "1"):
        raise DemoRefused("offline", "Say offline=1 to take the gradebook offline or offline=0 to bring it back.")
    outage.set_gradebook_offline(wanted == "1")
    return redirect(url_for("demo.gradebook"), code=303)
