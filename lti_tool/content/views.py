"""The editor's preview (made by the same code as every page that shows a question), its picture uploads, and the
pictures themselves at their signed addresses."""

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import NotFound

from lti_tool.content import images, rich_text
from lti_tool.content.models import QuestionImage
from lti_tool.db import db, utcnow
from lti_tool.errors import AppError, Forbidden
from lti_tool.identity import access
from lti_tool.identity.roles import ToolRole

bp = Blueprint("content", __name__)
MAX_TEXTS = 30  # a question's text, its explanation and its options


@bp.post("/api/content/preview")
@access.require_launch(ToolRole.TEST_MAKER)
def preview():
    body = request.get_json(silent=True)
    texts = body.get("texts") if isinstance(body, dict) else None
    fmt = body.get("format") if isinstance(body, dict) else None
    if fmt not in rich_text.FORMATS or not isinstance(texts, list) or len(texts) > MAX_TEXTS \
            or not all(isinstance(text, str) for text in texts):
        raise AppError('Send {"format": "plain" or "html", "texts": [up to 30 texts]}.')
    cleaned = texts if fmt == "plain" else [rich_text.clean(text) for text in texts]
    return {"html": [rich_text.to_html(text, fmt) for text in cleaned]}


@bp.post("/api/content/images")
@access.require_launch(ToolRole.TEST_MAKER)
def upload_image():
    """A picture for the course's questions: its stored address, to put in formatted text."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise images.ImageRefused("Choose a picture to add.")
    image = images.store(g.launch.course_id, upload.read())
    db.session.commit()
    return {"id": image.id, "src": f"/content/images/{image.id}", "preview": images.signed_src(image.id),
            "width": image.width, "height": image.height}, 201


@bp.get("/content/images/<int:image_id>")
def image(image_id):
    found = images.signed_image(image_id, request.args.get("e", ""), request.args.get("s", ""))
    if found is None:
        if db.session.get(QuestionImage, image_id) is None:
            raise NotFound("That picture does not exist.")
        raise Forbidden("This address of the picture has expired or is not valid.",
                        hint="Reload the page to see the picture.")
    expires_in = max(0, int(request.args["e"]) - int(utcnow().timestamp()))
    return Response(found.data, mimetype=found.media_type,
                    headers={"Cache-Control": f"private, max-age={expires_in}"})
