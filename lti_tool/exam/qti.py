"""IMS QTI: version 1.2 as Canvas exports a quiz (a .zip with imsmanifest.xml; multiple_choice_question,
multiple_answers_question and true_false_question items; pictures in the package), and 2.1 / 3.0 items with one
choiceInteraction (single or multiple cardinality; response processing match_correct or map_response), in a .zip
or as one .xml file. Other items are listed as skipped with their identifier. Problems name the item's identifier
(line 0: a package has no single line to point at)."""

import dataclasses
import html
import posixpath
import re
import zipfile
from io import BytesIO
from urllib.parse import unquote

from defusedxml import DefusedXmlException, ElementTree

from lti_tool.exam.parsed import ParsedOption, ParsedQuestion, Problem, Skipped

MAX_ENTRIES = 2000
MAX_UNPACKED = 50 * 1024 * 1024
CANVAS_TYPES = {"multiple_choice_question": "single", "true_false_question": "single",
                "multiple_answers_question": "multi"}
ROOTS = ("questestinterop", "assessmentItem", "qti-assessment-item")
_SOURCE = re.compile(r'(src=")([^"]+)(")')


class _Refused(Exception):
    """An item that cannot come in as it is; the message says why."""


def is_qti(root_tag):
    return _local(root_tag) in ROOTS


def read_package(data, *, pictures, limit):
    """(questions, problems, skipped) of a QTI .zip."""
    try:
        package = zipfile.ZipFile(BytesIO(data))
        entries = package.infolist()
    except (zipfile.BadZipFile, OSError):
        return [], [Problem(0, "the file is not a .zip package: export the quiz again as QTI")], []
    with package:
        if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > MAX_UNPACKED:
            return [], [Problem(0, f"the package unpacks to more than {MAX_UNPACKED // 1024 // 1024} MB or "
                                   f"{MAX_ENTRIES} files; split the quiz into smaller packages")], []
        files = {entry.filename: entry for entry in entries if not entry.is_dir()}
        documents = [name for name in files if name.lower().endswith(".xml")
                     and posixpath.basename(name).lower() != "imsmanifest.xml"]
        questions, problems, skipped = [], [], []
        for name in sorted(documents):
            text = package.read(files[name]).decode("utf-8-sig", errors="replace")
            root, problem = parse(text, name)
            if problem:
                problems.append(problem)
                continue
            if not is_qti(root.tag):
                continue  # assessment_meta.xml and other files of the package
            found = read_document(root, pictures=_package_pictures(package, files, name, pictures), limit=limit)
            questions += found[0]
            problems += found[1]
            skipped += found[2]
        return questions, problems, skipped


def parse(text, name):
    """(root element with namespaces dropped, None) or (None, the problem)."""
    try:
        root = ElementTree.fromstring(text)
    except DefusedXmlException:
        return None, Problem(0, f"{name}: the file declares entities or a DTD, which question files may not")
    except ElementTree.ParseError as error:
        line, column = error.position
        return None, Problem(line, f"{name}: this is not well-formed XML (at line {line}, column {column + 1})")
    for element in root.iter():
        element.tag = _local(element.tag)
        element.attrib = {_local(key): value for key, value in element.attrib.items()}
    return root, None


def read_document(root, *, pictures=lambda src: src, limit):
    """(questions, problems, skipped) of one QTI document (its namespaces dropped by `parse`): a 1.2
    questestinterop or a 2.1/3.0 item. `pictures(src)` answers the address of a picture the texts name; outside a
    package a picture cannot come with the file, and its img is dropped when the text is cleaned."""
    items = root.iter("item") if root.tag == "questestinterop" else [root]
    groups = _canvas_groups(root)
    questions, problems, skipped = [], [], []
    for item in items:
        if len(questions) >= limit:
            break
        ident = item.get("ident") or item.get("identifier") or ""
        reader = _canvas_item if item.tag == "item" else _choice_item
        try:
            question = reader(item, ident, pictures)
        except _Refused as refusal:
            questions.append(None)
            problems.append(Problem(0, f'item "{ident}": {refusal}'))
            continue
        if isinstance(question, Skipped):
            skipped.append(question)
        else:
            questions.append(dataclasses.replace(question, category=groups.get(id(item), "")))
    return questions, problems, skipped


def _canvas_groups(root):
    """{id(item): its question group's title} for the items of a Canvas question group: a section that picks some
    of its items at random (selection_ordering), as the exam's random draws do with a category."""
    return {id(item): (section.get("title") or section.get("ident") or "").strip()
            for section in root.iter("section") if section.find("selection_ordering") is not None
            for item in section.iter("item")}


# QTI 1.2, as Canvas writes it

def _canvas_item(item, ident, pictures):
    metadata = {(field.findtext("fieldlabel") or "").strip(): (field.findtext("fieldentry") or "").strip()
                for field in item.iter("qtimetadatafield")}
    kind = metadata.get("question_type", "")
    title = item.get("title", "")
    if kind not in CANVAS_TYPES:
        return Skipped(0, f"{title} ({ident})" if title else ident, kind or "unknown")
    presentation = item.find("presentation")
    text = _mattext(presentation.find("material") if presentation is not None else None, pictures)
    labels = list(item.iter("response_label"))
    options = [(label.get("ident"), _mattext(label.find("material"), pictures)) for label in labels]
    right = _canvas_right_answers(item)
    if not right:
        raise _Refused("no answer is marked right")
    explanation = "".join(_mattext(feedback.find(".//material"), pictures) for feedback in item.iter("itemfeedback")
                          if feedback.get("ident") == "general_fb") or None
    points = _number(metadata.get("points_possible"), 1.0)
    return ParsedQuestion(0, CANVAS_TYPES[kind], text, points, explanation,
                          tuple(ParsedOption(option_text, option_id in right) for option_id, option_text in options),
                          "html")


def _canvas_right_answers(item):
    """The response labels a full score needs: each <varequal> of a condition that sets SCORE to 100, except those
    under a <not>."""
    right = set()
    for condition in item.iter("respcondition"):
        score = condition.find("setvar")
        if score is None or _number(score.text, 0) < 100:
            continue
        negated = {id(element) for nots in condition.iter("not") for element in nots.iter("varequal")}
        right |= {(equal.text or "").strip() for equal in condition.iter("varequal") if id(equal) not in negated}
    return right


def _mattext(material, pictures):
    if material is None:
        return ""
    element = material.find("mattext")
    if element is None:
        return ""
    source = element.text or ""
    if element.get("texttype", "text/plain") != "text/html":
        source = html.escape(source).replace("\n", "<br>")
    return _with_pictures(source, pictures)


# QTI 2.1 and 3.0: one choice interaction

def _choice_item(item, ident, pictures):
    v3 = item.tag == "qti-assessment-item"
    tag = (lambda name: f"qti-{name}") if v3 else (lambda name: _camel(name))
    interactions = list(item.iter(tag("choice-interaction")))
    others = [element.tag for element in item.iter() if element.tag.endswith(("Interaction", "-interaction"))
              and element.tag != tag("choice-interaction")]
    title = item.get("title", "")
    if len(interactions) != 1 or others:
        kinds = sorted(set(others)) or ["several choice interactions"]
        return Skipped(0, f"{title} ({ident})" if title else ident, ", ".join(kinds))
    interaction = interactions[0]
    body = item.find(tag("item-body"))
    prompt = interaction.find(tag("prompt"))
    text = _inner(body, skip=interaction) + (_inner(prompt) if prompt is not None else "")
    choices = [(choice.get("identifier"), _inner(choice)) for choice in interaction.iter(tag("simple-choice"))]
    declaration = next((d for d in item.iter(tag("response-declaration"))
                        if d.get("identifier") == interaction.get(_attribute("response-identifier", v3))), None)
    if declaration is None:
        raise _Refused("its choices have no response declaration")
    single = declaration.get("cardinality") == "single"
    correct = {(value.text or "").strip() for value in declaration.iter(tag("value"))}
    template = _template(item, tag)
    mapping = {entry.get(_attribute("map-key", v3)): _number(entry.get(_attribute("mapped-value", v3)), 0)
               for entry in declaration.iter(tag("map-entry"))}
    if template == "map_response" and not single and mapping:
        weights = _weights(mapping, [choice_id for choice_id, _ in choices])
        options = tuple(ParsedOption(_with_pictures(choice_text, pictures), weights[choice_id] > 0,
                                     weights[choice_id]) for choice_id, choice_text in choices)
    elif template in ("match_correct", "map_response"):
        if not correct:
            raise _Refused("no choice is the correct response")
        options = tuple(ParsedOption(_with_pictures(choice_text, pictures), choice_id in correct)
                        for choice_id, choice_text in choices)
    else:
        raise _Refused("its response processing is not one of the templates match_correct or map_response")
    if template == "map_response" and mapping:
        points = sum(value for value in mapping.values() if value > 0)
    else:  # match_correct scores 1; QTI's normalMaximum on SCORE says what the item is worth, where it is given
        score = next((d for d in item.iter(tag("outcome-declaration")) if d.get("identifier") == "SCORE"), None)
        points = _number(score.get(_attribute("normal-maximum", v3)) if score is not None else None, 1.0)
    return ParsedQuestion(0, "single" if single else "multi", _with_pictures(text, pictures), points or 1.0, None,
                          options, "html")


def _weights(mapping, choice_ids):
    """A map_response's mapped values as weights: percents of the positive total."""
    total = sum(value for value in mapping.values() if value > 0)
    if total <= 0:
        raise _Refused("its mapping gives no points for any choice")
    return {choice_id: round(100 * mapping.get(choice_id, 0) / total, 5) for choice_id in choice_ids}


def _template(item, tag):
    processing = item.find(tag("response-processing"))
    template = (processing.get("template") or "") if processing is not None else ""
    return posixpath.basename(template).removesuffix(".xml") or None


def _inner(element, skip=None):
    """An element's content as HTML, without `skip` (the interaction inside the item body)."""
    if element is None:
        return ""
    parts = [html.escape(element.text or "")]
    for child in element:
        if child is not skip:
            # Long form, so an empty <p/> stays empty in HTML; void elements lose the end tag HTML never has.
            xml = ElementTree.tostring(child, encoding="unicode", short_empty_elements=False)
            parts.append(re.sub(r"</(?:br|hr|img)>", "", xml))
        parts.append(html.escape(child.tail or ""))
    return "".join(parts).strip()


def _camel(name):
    first, *rest = name.split("-")
    return first + "".join(word.capitalize() for word in rest)


def _attribute(name, v3):
    return name if v3 else _camel(name)


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _number(value, default):
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


# Pictures

def _with_pictures(source, pictures):
    return _SOURCE.sub(lambda match: match[1] + pictures(unquote(html.unescape(match[2]))) + match[3], source)


def _package_pictures(package, files, document, pictures):
    """`pictures` for one document of the package: a src names a file of the package, relative to the document or
    under Canvas's $IMS-CC-FILEBASE$ (the package's web_resources)."""
    folder = posixpath.dirname(document)

    def keep(src):
        if src.startswith("$IMS-CC-FILEBASE$/"):
            candidates = [posixpath.join("web_resources", src.split("/", 1)[1]), src.split("/", 1)[1]]
        else:
            candidates = [posixpath.normpath(posixpath.join(folder, src))]
        found = next((files[name] for name in candidates if name in files), None)
        if found is None:
            return src  # not a file of the package: dropped when the text is cleaned
        try:
            return pictures(posixpath.basename(found.filename), package.read(found))
        except ValueError as refusal:
            raise _Refused(f'its picture "{src}" cannot come in: {refusal}') from None

    return keep



# Writing: QTI 2.1, one item per question, in a package with its manifest and pictures

QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"


def write_package(questions, picture):
    """Questions (dicts as exam/services.py exports them) as a QTI 2.1 content package (.zip bytes);
    `picture(image_id)` answers (file name, bytes) of a picture a text shows, which goes into the package."""
    out = BytesIO()
    pictures = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        items = []
        for number, question in enumerate(questions, 1):
            identifier = f"question-{number}"
            package.writestr(f"items/{identifier}.xml", _item(identifier, number, question, picture, pictures))
            items.append(identifier)
        for name, data in pictures.items():
            package.writestr(f"items/pictures/{name}", data)
        package.writestr("imsmanifest.xml", _manifest(items, sorted(pictures)))
    return out.getvalue()


def _item(identifier, number, question, picture, pictures):
    single = question["kind"] == "single"
    choices = [(f"choice-{index}", option) for index, option in enumerate(question["options"], 1)]
    weighted = any(option.get("weight") is not None for _, option in choices)
    right = "".join(f"<value>{choice_id}</value>" for choice_id, option in choices if option["correct"])
    mapping = ""
    if weighted:
        entries = "".join(f'<mapEntry mapKey="{choice_id}" mappedValue="{_points(question, option)}"/>'
                          for choice_id, option in choices)
        mapping = f'<mapping defaultValue="0" lowerBound="0">{entries}</mapping>'
    body = "".join(f'<simpleChoice identifier="{choice_id}">{_xhtml(option["text"], question, picture, pictures)}'
                   "</simpleChoice>" for choice_id, option in choices)
    template = "map_response" if weighted else "match_correct"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<assessmentItem xmlns="{QTI21}" identifier="{identifier}" '
            f'title="Question {number}" adaptive="false" timeDependent="false">'
            f'<responseDeclaration identifier="RESPONSE" cardinality="{"single" if single else "multiple"}" '
            f'baseType="identifier"><correctResponse>{right}</correctResponse>{mapping}</responseDeclaration>'
            f'<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float" '
            f'normalMaximum="{question["points"]:g}"/>'
            f'<itemBody><div>{_xhtml(question["text"], question, picture, pictures)}</div>'
            f'<choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="{1 if single else 0}">'
            f"{body}</choiceInteraction></itemBody>"
            f'<responseProcessing template="{TEMPLATES}{template}"/></assessmentItem>\n')


def _points(question, option):
    return f"{question['points'] * (option.get('weight') or 0) / 100:g}"


def _xhtml(text, question, picture, pictures):
    """A text as XHTML inside an item: plain text escaped; formatted text made well-formed, pictures as files."""
    if question["format"] != "html":
        return html.escape(text).replace("\n", "<br/>")

    def packaged(match):
        name, data = picture(int(match[1]))
        pictures[name] = data
        return f'src="pictures/{name}"'

    source = re.sub(r'src="/content/images/(\d+)"', packaged, text).replace("&nbsp;", "&#160;")
    wrapped = ElementTree.fromstring(f"<div>{_void_tags_closed(source)}</div>")
    return "".join([html.escape(wrapped.text or "")] + [
        ElementTree.tostring(child, encoding="unicode") for child in wrapped])


def _void_tags_closed(source):
    return re.sub(r"<(br|hr|img)\b([^>]*?)/?>", r"<\1\2/>", source)


def _manifest(items, picture_names):
    resources = "".join(
        f'<resource identifier="{identifier}" type="imsqti_item_xmlv2p1" href="items/{identifier}.xml">'
        f'<file href="items/{identifier}.xml"/>'
        + "".join(f'<file href="items/pictures/{name}"/>' for name in picture_names) + "</resource>"
        for identifier in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{CP}" identifier="proctor-lti-export">'
            f"<organizations/><resources>{resources}</resources></manifest>\n")
