"""Pictures in questions: only pictures get in (decoded and saved again, without their metadata, within limits),
each course shows its own, and a page's signed address is the only way to a picture."""

import io
import re
from datetime import timedelta

import pytest
from PIL import Image, PngImagePlugin

from lti_tool.content import images
from lti_tool.db import utcnow
from tests.exam.conftest import Course


def picture(fmt="PNG", size=(40, 30), **save):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def upload(course, data, name="graph.png", token=None):
    return course.call("POST", "/api/content/images", token, content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name)})


def question_with(src, alt="A red rectangle"):
    return {"type": "single", "format": "html", "points": 1,
            "text": f'<p>What colour?</p><img src="{src}" alt="{alt}">',
            "options": [{"text": "Red", "correct": True}, {"text": "Blue", "correct": False}]}


def test_a_picture_is_saved_again_without_its_metadata_and_shown_at_its_signed_address(course: Course):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Ada Lovelace, 12 Secret Street")
    added = upload(course, picture(pnginfo=info))
    assert added.status_code == 201, added.json
    assert (added.json["src"], added.json["width"], added.json["height"]) == (
        f"/content/images/{added.json['id']}", 40, 30)
    shown = course.client.get(added.json["preview"])  # no launch token: an <img> cannot send one
    assert shown.status_code == 200 and shown.mimetype == "image/png"
    assert re.fullmatch(r"private, max-age=\d+", shown.headers["Cache-Control"])
    assert b"Ada Lovelace" not in shown.data and b"Author" not in shown.data
    with Image.open(io.BytesIO(shown.data)) as stored:
        assert stored.size == (40, 30) and not stored.text

    exif = Image.Exif()
    exif[0x013B] = "Ada Lovelace"  # Artist
    jpeg = upload(course, picture("JPEG", exif=exif), "photo.jpg").json
    photo = course.client.get(jpeg["preview"])
    assert photo.mimetype == "image/jpeg" and b"Exif" not in photo.data and b"Ada Lovelace" not in photo.data
    assert upload(course, picture(pnginfo=info)).json["id"] == added.json["id"]  # the same picture is kept once


def test_a_large_picture_is_scaled_down_and_anything_else_is_refused(app, course: Course):
    large = upload(course, picture(size=(3000, 1500))).json
    assert (large["width"], large["height"]) == (2000, 1000)
    for data, name in ((b"<svg onload='alert(1)'></svg>", "x.svg"), (b"%PDF-1.4", "x.png"),
                       (b"<html><script>alert(1)</script></html>", "x.png"), (picture("BMP"), "x.bmp"),
                       (picture()[:60], "cut.png")):
        refused = upload(course, data, name)
        assert refused.status_code == 400, name
        assert refused.json["error"]["code"] == "image_refused", name
    bomb = upload(course, picture(size=(6000, 5000)))  # 30 million pixels in a small file
    assert bomb.status_code == 400 and "too many pixels" in bomb.json["error"]["message"]
    with app.app_context(), pytest.raises(images.ImageRefused, match="larger than 2 MB"):
        images.store(1, b"x" * (images.MAX_BYTES + 1))  # a request that large is refused before (MAX_CONTENT_LENGTH)
    student = upload(course, picture(), token=course.student())
    assert student.status_code == 403


def test_a_signed_address_works_for_its_picture_only_and_until_it_expires(app, course: Course):
    first, second = (upload(course, picture(size=(10 + n, 10))).json for n in range(2))
    assert course.client.get(first["preview"]).status_code == 200
    other = first["preview"].replace(f"/images/{first['id']}?", f"/images/{second['id']}?")
    tampered = re.sub(r"s=\w", "s=0", first["preview"])
    for address in (other, tampered, f"/content/images/{first['id']}", f"/content/images/{first['id']}?e=x&s=y"):
        refused = course.client.get(address)
        assert refused.status_code == 403, address
    with app.test_request_context():
        old = images.signed_src(first["id"], now=utcnow() - timedelta(days=3))
    assert course.client.get(old).status_code == 403
    assert course.client.get("/content/images/999999?e=1&s=x").status_code == 404


def test_a_question_shows_its_pictures_to_the_student_at_signed_addresses(course: Course):
    src = upload(course, picture()).json["src"]
    exam = course.exam(questions=0)
    added = course.call("POST", f"/api/exams/{exam['id']}/questions", json=question_with(src))
    assert added.status_code == 201, added.json
    course.publish(exam)
    attempt = course.call("POST", f"/api/exams/{exam['id']}/attempts", course.student()).json
    [address] = re.findall(r'<img src="([^"]+)" alt="A red rectangle">', attempt["questions"][0]["html"])
    assert address.startswith(f"{src}?e=")
    assert course.client.get(address.replace("&amp;", "&")).status_code == 200


def test_the_editor_wants_a_description_of_each_picture_and_only_the_courses_own(course: Course, client, lti):
    exam = course.exam(questions=0)
    src = upload(course, picture()).json["src"]
    undescribed = course.call("POST", f"/api/exams/{exam['id']}/questions", json=question_with(src, alt=" "))
    assert undescribed.status_code == 400
    assert "1 of its pictures has no description" in undescribed.json["error"]["message"]

    elsewhere = Course(client, lti)
    elsewhere.context_id, elsewhere.link = "another-course", "another-link"
    elsewhere.maker = lti.token_for(("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor",),
                                    sub="teacher-elsewhere", context_id="another-course",
                                    resource_link_id="another-link")["token"]
    foreign = upload(elsewhere, picture(size=(12, 12))).json["src"]
    refused = course.call("POST", f"/api/exams/{exam['id']}/questions", json=question_with(foreign))
    assert refused.status_code == 400 and "not one of this course's" in refused.json["error"]["message"]


@pytest.mark.parametrize("src", ["https://evil.example/x.png", "javascript:alert(1)", "data:image/png;base64,AAAA",
                                 "/content/images/1/../../api/exams", "//evil.example/content/images/1"])
def test_a_picture_from_anywhere_else_is_dropped(src):
    from lti_tool.content import rich_text
    assert rich_text.clean(f'<p>x<img src="{src}" alt="y"></p>') == "<p>x</p>"
