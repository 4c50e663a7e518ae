"""The catalogues: complete for every message the code asks for, placeholders kept, compiled for gettext and for
the pages' scripts with each language's plural forms."""

import os
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from lti_tool.i18n import catalogues

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "tn": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted():
    """Every message the code asks for, as `pybabel extract` with lti_tool/translations/babel.cfg finds it."""
    method_map = [("lti_tool/**.py", "python"), ("templates/**.html", "jinja2"), ("static/js/**.js", "javascript")]
    found = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, keywords=KEYWORDS, comment_tags=()):
        if "node_modules" not in filename:
            found.setdefault(message if isinstance(message, str) else tuple(message), filename)
    return found


@pytest.fixture(scope="module")
def asked():
    return extracted()


def shipped_catalogues():
    return [locale for locale in catalogues.locales() if locale != catalogues.SOURCE]


def read(locale):
    with (catalogues.DIRECTORY / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=locale)


def test_the_pages_ask_for_messages(asked):
    # The lobby's heading (template), its start button (script) and a plural: if extraction finds none of these,
    # the completeness check below would pass on nothing.
    assert {"Exam lobby", "Start the exam", ("%(n)s minute", "%(n)s minutes")} <= set(asked)


def test_the_template_for_translators_is_up_to_date(asked):
    with (catalogues.DIRECTORY / "messages.pot").open("rb") as source:
        template = {message.id if isinstance(message.id, str) else tuple(message.id) for message in read_po(source)
                    if message.id}
    assert template == set(asked), "run the extract and update commands of README, Languages"


@pytest.mark.parametrize("locale", shipped_catalogues())
def test_every_message_is_translated_in_every_shipped_language(asked, locale):
    catalog = read(locale)
    missing = []
    for message in asked:
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        if entry is None or entry.fuzzy:
            missing.append(message)
        elif isinstance(message, tuple):
            if not isinstance(entry.string, tuple) or len(entry.string) != catalog.num_plurals \
                    or not all(entry.string):
                missing.append(message)
        elif not entry.string:
            missing.append(message)
    assert not missing, f"{locale}: not translated, or fuzzy: {missing}"


@pytest.mark.parametrize("locale", shipped_catalogues())
def test_a_translation_keeps_its_messages_placeholders(asked, locale):
    """A placeholder lost or misspelt would show "%(title)s" to a student, or drop the exam's title."""
    catalog = read(locale)
    wrong = []
    for message in asked:
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        if entry is None:
            continue  # missing: the completeness check says so
        wanted = set(PLACEHOLDER.findall(entry.id if isinstance(entry.id, str) else entry.id[1]))
        for form in (entry.string if isinstance(entry.string, tuple) else (entry.string,)):
            # A plural form may say its number in words ("one minute", "دقيقتان") and leave the count out: %(n)s
            # in the scripts' tn(), %(num)d in Python's ngettext().
            if set(PLACEHOLDER.findall(form)) not in (wanted, wanted - {"n", "num"}):
                wrong.append((entry.id, form))
    assert not wrong, f"{locale}: placeholders changed: {wrong}"


def test_each_language_has_a_glossary_entry_for_the_products_terms():
    glossary = (catalogues.DIRECTORY / "GLOSSARY.md").read_text()
    header = next(line for line in glossary.splitlines() if line.startswith("| English"))
    assert [cell.strip() for cell in header.strip("|").split("|")][1:] == shipped_catalogues()


def test_the_scripts_plural_forms_follow_each_languages_cldr_categories():
    arabic = catalogues.script_messages(read("ar"))["%(n)s minute"]
    assert arabic == {"zero": "%(n)s دقيقة", "one": "دقيقة واحدة", "two": "دقيقتان", "few": "%(n)s دقائق",
                      "many": "%(n)s دقيقة", "other": "%(n)s دقيقة"}
    french = catalogues.script_messages(read("fr"))["%(n)s minute"]
    assert french == {"one": "%(n)s minute", "many": "%(n)s minutes", "other": "%(n)s minutes"}
    assert catalogues.script_messages(read("ja"))["%(n)s minute"] == {"other": "%(n)s 分"}


def test_the_scripts_catalogue_leaves_out_what_is_untranslated_or_fuzzy():
    catalog = Catalog(locale="de")
    catalog.add("Done", "Fertig")
    catalog.add("Doubtful", "Zweifelhaft", flags=("fuzzy",))
    catalog.add("Not yet", "")
    catalog.add(("%(n)s file", "%(n)s files"), ("%(n)s Datei", ""))
    assert catalogues.script_messages(catalog) == {"Done": "Fertig"}


def test_a_catalogue_is_compiled_when_its_po_changes_and_only_then(tmp_path, monkeypatch):
    po_dir = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    po_dir.mkdir(parents=True)
    po = po_dir / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
                  'msgid "Start the exam"\nmsgstr "Commencer l’examen"\n', encoding="utf-8")
    monkeypatch.setattr(catalogues, "DIRECTORY", tmp_path / "translations")
    monkeypatch.setattr(catalogues, "SCRIPT_DIR", tmp_path / "i18n")

    assert catalogues.compile_stale() == ["fr"]
    assert (po_dir / "messages.mo").stat().st_size > 0
    assert (tmp_path / "i18n" / "fr.json").read_text(encoding="utf-8") == '{"Start the exam": "Commencer l’examen"}'
    assert catalogues.compile_stale() == []  # nothing changed

    po.write_text(po.read_text(encoding="utf-8").replace("Commencer", "Démarrer"), encoding="utf-8")
    later = (po_dir / "messages.mo").stat().st_mtime + 5
    os.utime(po, (later, later))
    assert catalogues.compile_stale() == ["fr"]
    assert "Démarrer" in (tmp_path / "i18n" / "fr.json").read_text(encoding="utf-8")
    assert not list((tmp_path / "i18n").glob(".*")), "no half-written file is left behind"


def test_the_cli_compiles_every_catalogue(runner):
    result = runner.invoke(args=["translations", "compile"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"compiled {locale}" for locale in shipped_catalogues()]
