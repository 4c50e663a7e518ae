"""Moodle XML, as Moodle's question bank exports it: `multichoice` (one or several answers, fractions as partial
credit, per-answer feedback, general feedback) and `truefalse` questions read, their pictures (`<file>` elements
named by @@PLUGINFILE@@) handed to the caller, their `category` (the bank's folder path before them, without its
`$course$/top/`) kept; every other type listed as skipped with its line and name, never half-imported. Texts come
out as formatted text (HTML); a plain-text part is escaped into it."""

import base64
import binascii
import dataclasses
import html
import re
from urllib.parse import unquote
from xml.etree.ElementTree import Element, SubElement, tostring  # writing only: files are read with defusedxml

from defusedxml import DefusedXmlException, ElementTree

from lti_tool.content import rich_text
from lti_tool.exam import qti, tags
from lti_tool.exam.parsed import ParsedOption, ParsedQuestion, Problem, Skipped

READ = ("multichoice", "truefalse")
_QUESTION_TAG = re.compile(r"<question\b")
_PLUGINFILE = re.compile(r'@@PLUGINFILE@@/([^"\'<>\s?#]+)')
_CONTEXT = re.compile(r"^\$[a-z0-9]+\$(/|$)")  # $course$, $module$, $system$, $coursecategory$, $cat1$ ...


class _Refused(Exception):
    """A question that cannot come in as it is; the message says why."""


def read(text, *, pictures, limit):
    """(questions, problems, skipped) of a file: a None question for each one refused with its problem.
    `pictures(name, data)` keeps a picture the file carries and answers its address, or raises ValueError. Reading
    stops after `limit` questions."""
    try:
        root = ElementTree.fromstring(text)
    except DefusedXmlException:
        return [], [Problem(0, "the file declares entities or a DTD, which question files may not")], []
    except ElementTree.ParseError as error:
        line, column = error.position
        return [], [Problem(line, f"this is not well-formed XML (at column {column + 1}): check the file is the "
                                  "Moodle XML export, complete and unedited")], []
    if qti.is_qti(root.tag):  # a QTI item or Canvas assessment saved as .xml
        qti_root, _ = qti.parse(text, "the file")
        return qti.read_document(qti_root, limit=limit)
    if root.tag != "quiz":
        return [], [Problem(1, f"a Moodle XML file starts with <quiz>, not <{root.tag}>")], []
    lines = [text.count("\n", 0, match.start()) + 1 for match in _QUESTION_TAG.finditer(text)]
    questions, problems, skipped, category = [], [], [], ""
    for index, element in enumerate(root.findall("question")):
        if len(questions) >= limit:
            break
        line = lines[index] if index < len(lines) else 0
        kind, name = element.get("type", ""), (element.findtext("name/text") or "").strip()
        if kind == "category":  # the bank's folder of the questions after it
            category = _category(element.findtext("category/text") or "")
            continue
        if kind not in READ:
            skipped.append(Skipped(line, name, kind))
            continue
        try:
            questions.append(dataclasses.replace(_question(element, line, name, kind, pictures), category=category,
                                                 tags=tags.normalised(_tags(element))))
        except _Refused as refusal:
            questions.append(None)
            problems.append(Problem(line, f'question "{name}": {refusal}'))
    return questions, problems, skipped


def _question(element, line, name, kind, pictures):
    text = _formatted(element.find("questiontext"), pictures)
    answers = [(_formatted(answer, pictures), _fraction(answer.get("fraction")), answer.find("feedback"))
               for answer in element.findall("answer")]
    if any(fraction is None for _, fraction, _ in answers):
        raise _Refused("an answer's fraction is not a number")
    if kind == "truefalse":
        answers = [(html.escape(_TRUE_FALSE.get(text_.strip().lower(), text_)), fraction, feedback)
                   for text_, fraction, feedback in answers]
    # Per-answer feedback has no place of its own here: the explanation lists it after the general feedback.
    feedback = [f"<p><strong>{html.escape(rich_text.to_plain(answer_text, 'html'))}</strong>: "
                f"{_formatted(feedback, pictures)}</p>"
                for answer_text, _, feedback in answers if feedback is not None and _has_text(feedback)]
    general = element.find("generalfeedback")
    explanation = "".join(([_formatted(general, pictures)] if general is not None and _has_text(general) else [])
                          + feedback) or None
    single = kind == "truefalse" or (element.findtext("single") or "true").strip().lower() in ("true", "1")
    points = _fraction(element.findtext("defaultgrade") or "1")
    points = 1.0 if points is None else points
    fractions = [round(fraction, 5) for _, fraction, _ in answers]
    if not single:
        options = tuple(ParsedOption(answer_text, fraction > 0, fraction)
                        for (answer_text, _, _), fraction in zip(answers, fractions, strict=True))
        return ParsedQuestion(line, "multi", text, points, explanation, options, "html")
    partial = [(number, fraction) for number, fraction in enumerate(fractions, 1) if fraction not in (0, 100)]
    if partial:
        number, fraction = partial[0]
        raise _Refused(f"answer {number} gives {fraction:g}% of the points; a single-answer question here gives the "
                       "points for its right answer only (100%) and none for the others (0%): change it in Moodle, "
                       "or make it a multiple-answer question")
    options = tuple(ParsedOption(answer_text, fraction == 100)
                    for (answer_text, _, _), fraction in zip(answers, fractions, strict=True))
    return ParsedQuestion(line, "single", text, points, explanation, options, "html")


_TRUE_FALSE = {"true": "True", "false": "False"}


def _tags(element):
    """The question's tags, as Moodle writes them: <tags><tag><text>week 3</text></tag>...</tags>."""
    return [tag.findtext("text") or "" for tag in element.findall("tags/tag")]


def _category(path):
    """"$course$/top/Biology/Cells" as "Biology/Cells": the folders under the context's top ("//" is a slash
    within a folder's name, and stays one)."""
    folders = [folder.strip().replace("\0", "/")
               for folder in _CONTEXT.sub("", path.strip()).replace("//", "\0").split("/")]
    if folders and folders[0] == "top":
        folders = folders[1:]
    return "/".join(folder for folder in folders if folder)


def _has_text(element):
    return bool((element.findtext("text") or "").strip())


def _formatted(element, pictures):
    """An element's <text> as formatted text, its pictures kept through `pictures`."""
    if element is None:
        return ""
    source = element.findtext("text") or ""
    fmt = element.get("format", "html")
    if fmt in ("plain_text", "markdown"):
        # Markdown is read as plain text: its marks show as written.
        source = html.escape(source).replace("\n", "<br>")
    elif fmt == "moodle_auto_format":
        source = source.replace("\n", "<br>")
    files = _files(element)
    return _PLUGINFILE.sub(lambda match: _picture(match[1], files, pictures), source).strip()


def _files(element):
    """{name: bytes} of the base64 <file> elements carried with a text."""
    found = {}
    for file in element.findall("file"):
        if file.get("encoding") != "base64" or not file.get("name"):
            continue
        try:
            found[file.get("name")] = base64.b64decode(file.text or "", validate=False)
        except (binascii.Error, ValueError):
            continue
    return found


def _picture(name, files, pictures):
    name = unquote(name)
    if name not in files:
        raise _Refused(f'it shows the picture "{name}", which the file does not carry')
    try:
        return pictures(name, files[name])
    except ValueError as refusal:
        raise _Refused(f'its picture "{name}" cannot come in: {refusal}') from None


def _fraction(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def write(questions, picture):
    """Questions (dicts as exam/services.py exports them) as a Moodle XML file that Moodle's import reads back;
    `picture(image_id)` answers (file name, bytes) of a picture the texts show, which goes into the file."""
    # Moodle keeps questions in categories, not in an order, and puts the questions before any category element
    # into the category chosen at import (an element naming "$course$/top" would put them in the top category,
    # which the question bank hides): the questions without a category come first, then the others.
    ordered = sorted(enumerate(questions, 1), key=lambda numbered: bool(numbered[1].get("category")))
    quiz, category = Element("quiz"), ""
    for number, question in ordered:
        if question.get("category", "") != category:
            category = question["category"]
            quiz.append(_category_element(category))
        quiz.append(_written(number, question, picture))
    body = tostring(quiz, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _category_element(category):
    element = Element("question", type="category")
    _sub(_sub(element, "category"), "text", f"$course$/top/{category}")
    return element


def _written(number, question, picture):
    element = Element("question", type="multichoice")
    fmt = "html" if question["format"] == "html" else "plain_text"
    _sub(_sub(element, "name"), "text", f"Question {number}")
    element.append(_text_element("questiontext", question["text"], fmt, picture))
    element.append(_text_element("generalfeedback", question.get("explanation") or "", fmt, picture))
    _sub(element, "defaultgrade", f"{question['points']:g}")
    _sub(element, "penalty", "0")
    _sub(element, "hidden", "0")
    _sub(element, "single", "true" if question["kind"] == "single" else "false")
    _sub(element, "shuffleanswers", "true")
    _sub(element, "answernumbering", "abc")
    for option, fraction in zip(question["options"], _fractions(question), strict=True):
        answer = _text_element("answer", option["text"], fmt, picture)
        answer.set("fraction", _moodle_number(fraction))
        element.append(answer)
    if question.get("tags"):
        listed = _sub(element, "tags")
        for tag in question["tags"]:
            _sub(_sub(listed, "tag"), "text", tag)
    return element


def _fractions(question):
    """Each option's percent of the points: its weight, else the points shared by the right options and taken back
    by the wrong ones of a multiple-answer question (100/k and -100/m are on Moodle's list of grades)."""
    options = question["options"]
    if question["kind"] == "single":
        return [100 if option["correct"] else 0 for option in options]
    if any(option.get("weight") is not None for option in options):
        return [option.get("weight") or 0 for option in options]
    right = sum(1 for option in options if option["correct"])
    wrong = len(options) - right
    return [100 / right if option["correct"] else -100 / wrong for option in options]


def _moodle_number(value):
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _text_element(tag, text, fmt, picture):
    element = Element(tag, format=fmt)
    files = {}
    if fmt == "html":
        def pluginfile(match):
            name, data = picture(int(match[1]))
            files[name] = data
            return f'src="@@PLUGINFILE@@/{name}"'
        text = re.sub(r'src="/content/images/(\d+)"', pluginfile, text)
    _sub(element, "text", text)
    for name, data in files.items():
        _sub(element, "file", base64.b64encode(data).decode(), name=name, path="/", encoding="base64")
    return element


def _sub(parent, tag, text=None, **attributes):
    element = SubElement(parent, tag, **attributes)
    element.text = text
    return element
