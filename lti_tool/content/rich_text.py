"""Question text in one of two formats: "plain" (shown as written) or "html" (a safe subset of HTML: paragraphs,
emphasis, lists, tables, sub/superscripts, code, the course's pictures; formulas in TeX)."""

import html
import re

import nh3

from lti_tool.content import formulas, images

FORMATS = ("plain", "html")
TAGS = frozenset({
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "span", "blockquote", "pre", "code",
    "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "hr", "img",
})
ATTRIBUTES = {"ol": {"start"}, "th": {"colspan", "rowspan", "scope"}, "td": {"colspan", "rowspan"},
              "img": {"src", "alt", "width", "height"}, "*": {"dir", "lang"}}
IMAGE = re.compile(r"<img\b[^>]*>")
SOURCE = re.compile(r'\ssrc="' + images.PATH.pattern + '"')
ALT = re.compile(r'\salt="([^"]*)"')


def clean(source):
    """Formatted text as it may be stored: only the allowed tags and attributes, no scripts, no styles, and
    pictures only from the tool's own store (lti_tool/content/images.py)."""
    cleaned = nh3.clean(source, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_own_pictures_only,
                        link_rel=None)
    return IMAGE.sub(lambda tag: tag[0] if SOURCE.search(tag[0]) else "", cleaned).strip()


def _own_pictures_only(tag, attribute, value):
    if tag == "img" and attribute == "src":
        return value if images.PATH.fullmatch(value) else None
    return value


def image_ids(text):
    """The ids of the pictures stored formatted text shows."""
    return [int(match[1]) for match in SOURCE.finditer(text or "")]


def pictures_without_description(text):
    """How many pictures of stored formatted text have no alt text."""
    return sum(1 for tag in IMAGE.findall(text or "") if not (ALT.search(tag) and ALT.search(tag)[1].strip()))


def to_html(text, fmt):
    """What a page shows for a stored text: plain text escaped with its line breaks kept, formatted text with its
    formulas as MathML."""
    if text is None:
        return None
    if fmt == "html":
        return images.with_signed_sources(formulas.with_mathml(text))
    return html.escape(text).replace("\n", "<br>")


def to_plain(text, fmt):
    """The words of a stored text without markup, for places that show text only (spreadsheets, short labels)."""
    if fmt != "html" or text is None:
        return text
    return " ".join(html.unescape(nh3.clean(text, tags=set())).split())
