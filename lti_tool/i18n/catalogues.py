"""The translation catalogues: one `translations/<locale>/LC_MESSAGES/messages.po` per language, written by
translators (README, Languages). From each, the tool compiles what gettext reads (`messages.mo`, beside it) and
what the pages' scripts read (`static/i18n/<locale>.json`, loaded by static/js/i18n.js): both whenever the `.po`
is newer, when the app starts (or with `flask translations compile`), so a catalogue never goes stale.

The scripts' plural forms are keyed by CLDR category ("one", "few", "other"…), which the page picks with
`Intl.PluralRules`; the `.po` numbers them by its Plural-Forms expression, so each category is mapped to the form
that expression picks for the numbers of that category."""

import functools
import gettext
import json
import os
import tempfile
from pathlib import Path

import click
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.cli import AppGroup

DIRECTORY = Path(__file__).resolve().parent.parent / "translations"
SCRIPT_DIR = Path(__file__).resolve().parent.parent.parent / "static" / "i18n"
SOURCE = "en"  # the messages themselves are English
PLURAL_SAMPLES = (*range(0, 1001), 10**6, 2 * 10**6)  # millions are "many" in French, Spanish, Portuguese

cli = AppGroup("translations", help="The translation catalogues.")


@functools.cache  # read on every request that picks a language; the catalogues come with the release
def locales():
    """Every language the tool has: English and each catalogue's."""
    return (SOURCE, *sorted(path.parent.parent.name for path in DIRECTORY.glob("*/LC_MESSAGES/messages.po")))


def script_path(locale):
    """The scripts' catalogue of `locale`, relative to static/."""
    return f"i18n/{locale}.json"


def compile_stale(force=False):
    """Compile each catalogue whose `.po` changed since it was last compiled; the names of those compiled."""
    compiled = []
    for po in sorted(DIRECTORY.glob("*/LC_MESSAGES/messages.po")):
        locale = po.parent.parent.name
        if compile_catalogue(locale, po, lambda po=po, locale=locale: _read(po, locale), force):
            compiled.append(locale)
    return compiled


def compile_catalogue(locale, source, load, force=False):
    """Write `locale`'s `messages.mo` and scripts' catalogue from `load()` (a Catalog) if `source`, the file it is
    made from, is newer than either; whether it did."""
    mo, script = DIRECTORY / locale / "LC_MESSAGES" / "messages.mo", SCRIPT_DIR / f"{locale}.json"
    if not force and all(out.exists() and out.stat().st_mtime >= source.stat().st_mtime for out in (mo, script)):
        return False
    catalog = load()
    _write(mo, lambda out: write_mo(out, catalog))
    _write(script, lambda out: out.write(json.dumps(
        script_messages(catalog), ensure_ascii=False, sort_keys=True).encode()))
    return True


def _read(po, locale):
    with po.open("rb") as source:
        return read_po(source, locale=locale)


def script_messages(catalog):
    """{message: its translation} for the pages; a plural message's value is {CLDR category: form}. Untranslated
    and fuzzy entries are left out, so the page shows the English message rather than a doubtful one."""
    pick = gettext.c2py(catalog.plural_expr)
    rule = Locale.parse(str(catalog.locale)).plural_form
    index_of = {}
    for number in PLURAL_SAMPLES:
        index_of.setdefault(rule(number), pick(number))
    messages = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if message.pluralizable:
            forms = message.string
            if all(forms):
                messages[message.id[0]] = {category: forms[index] for category, index in index_of.items()}
        elif message.string:
            messages[message.id] = message.string
    return messages


def _write(path, write):
    """Write `path` whole or not at all: workers starting together may compile at the same moment."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@cli.command("compile")
def compile_command():
    """Compile every catalogue now (for images built before they run, on a read-only file system)."""
    for locale in compile_stale(force=True):
        click.echo(f"compiled {locale}")
