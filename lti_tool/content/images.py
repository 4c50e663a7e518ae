"""Pictures in questions: decoded and saved again by the server (a picture or nothing, within size limits, no
metadata), kept per course, and shown through signed addresses. An <img> cannot send the launch token, so the page
that may show a question gets each picture's address signed for a day or two: stable within the day, so browsers
keep the picture, and useless once it expires."""

import hashlib
import hmac
import io
import re
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from lti_tool.content.models import QuestionImage
from lti_tool.db import db, utcnow
from lti_tool.errors import AppError

ACCEPTED = ("JPEG", "PNG", "GIF", "WEBP")
MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 25_000_000  # decoded; a decompression bomb stops here
MAX_SIDE = 2000  # larger pictures are scaled down to this
PATH = re.compile(r"/content/images/(\d+)")


class ImageRefused(AppError):
    code = "image_refused"
    title = "The picture was not added"


def store(course_id, data):
    """The course's picture for `data` (an existing row when the same picture is there already)."""
    if len(data) > MAX_BYTES:
        raise ImageRefused(f"The picture is larger than {MAX_BYTES // 1024 // 1024} MB.",
                           hint="Save it smaller (or as a JPEG) and add it again.")
    encoded, media_type, width, height = _reencoded(data)
    digest = hashlib.sha256(encoded).hexdigest()
    found = db.session.scalar(select(QuestionImage).filter_by(course_id=course_id, sha256=digest))
    if found is not None:
        return found
    image = QuestionImage(course_id=course_id, media_type=media_type, width=width, height=height,
                          size=len(encoded), sha256=digest, data=encoded)
    db.session.add(image)
    db.session.flush()
    return image


def _reencoded(data):
    """(bytes, media type, width, height): PNG for pictures that may be drawings (PNG, GIF), else JPEG."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ACCEPTED:
                raise ImageRefused("Add a JPEG, PNG, GIF or WebP picture.")
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRefused("The picture has too many pixels.", hint="Scale it down and add it again.")
            drawing = probe.format in ("PNG", "GIF")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = image.convert("RGBA" if drawing else "RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            # Saved from the decoded pixels: EXIF, GPS and every other block the file carried is left behind.
            image.save(out, "PNG", optimize=True) if drawing else image.save(out, "JPEG", quality=85)
            return out.getvalue(), "image/png" if drawing else "image/jpeg", image.width, image.height
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ImageRefused("That is not a picture the tool can read.") from None


def of_course(course_id, image_ids):
    """Which of these picture ids are the course's."""
    if not image_ids:
        return set()
    return set(db.session.scalars(select(QuestionImage.id).where(QuestionImage.course_id == course_id,
                                                                 QuestionImage.id.in_(image_ids))))


def copied(html, to_course_id):
    """Formatted text with each picture it shows copied into another course (a course copied into a new term)."""
    for image_id in set(int(match[1]) for match in re.finditer(r'src="' + PATH.pattern + '"', html)):
        source = db.session.get(QuestionImage, image_id)
        if source is not None and source.course_id != to_course_id:
            copy = store(to_course_id, source.data)
            html = html.replace(f'src="/content/images/{image_id}"', f'src="/content/images/{copy.id}"')
    return html


def signed_src(image_id, now=None):
    """The picture's address for a page shown now: valid to the end of tomorrow (UTC)."""
    now = now or utcnow()
    expires = int(datetime.combine(now.date() + timedelta(days=2), time(), timezone.utc).timestamp())
    return f"/content/images/{image_id}?e={expires}&s={_signature(image_id, expires)}"


def with_signed_sources(html, now=None):
    """`html` with each picture's stored address replaced by a signed one."""
    return re.sub(r'src="' + PATH.pattern + '"', lambda m: f'src="{signed_src(int(m[1]), now)}"'.replace("&", "&amp;"),
                  html)


def signed_image(image_id, expires, signature, now=None):
    """The picture, when the signature is this picture's and has not expired; else None."""
    now = now or utcnow()
    if not (expires.isdigit() and hmac.compare_digest(signature, _signature(image_id, int(expires)))):
        return None
    if int(expires) < now.timestamp():
        return None
    return db.session.get(QuestionImage, image_id)


def _signature(image_id, expires):
    # Derived from SECRET_KEY for this use only, as launch tokens' key is (identity/tokens.py).
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"question-image", hashlib.sha256).digest()
    return hmac.new(key, f"{image_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]
