"""The pseudo-locale, for checking pages rather than for reading: every message of the catalogue accented,
bracketed ⟦…⟧ and a third longer. On a page in it, English that never went through the catalogue is the text
outside brackets, and a layout that cannot take a longer language clips or scrolls sideways at once (README,
Languages; tests/e2e/test_pseudo_locale.py sweeps the pages).

Offered only where PSEUDO_LOCALE is set. Babel knows no pseudo-locale tag such as en-XA (it needs CLDR data for
plural rules and dates), so the pseudo messages are served as `en_001`, "English (world)": English's plural rules
and dates, which no LMS sends for a real reader."""

import re

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from lti_tool.i18n import catalogues

LOCALE = "en_001"
POT = catalogues.DIRECTORY / "messages.pot"
ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "àƀçđéƒĝĥîĵķĺɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĹṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
PLACEHOLDER = re.compile(r"(%\(\w+\)[sd])")
LONGER = 0.3


def pseudo(message):
    """"Start the exam" → "⟦Šţàŕţ ţĥé éẋàɱ ·····⟧": placeholders kept as they are, a third more length."""
    accented = "".join(part if PLACEHOLDER.fullmatch(part) else part.translate(ACCENTED)
                       for part in PLACEHOLDER.split(message))
    padding = round(len(PLACEHOLDER.sub("", message)) * LONGER)
    # Words of at most five dots, so the longer text wraps where a longer language would.
    filler = " ".join("·" * min(5, padding - start) for start in range(0, padding, 5))
    return f"⟦{accented}{' ' + filler if filler else ''}⟧"


def catalog():
    """The pseudo catalogue: each message of `messages.pot`, plural forms included, in pseudo."""
    with POT.open("rb") as source:
        template = read_po(source)
    out = Catalog(locale=LOCALE, project=template.project)
    for message in template:
        if not message.id:
            continue
        string = tuple(map(pseudo, message.id)) if message.pluralizable else pseudo(message.id)
        out.add(message.id, string)
    return out


def compile_stale():
    """Compile the pseudo catalogue if the template changed since it was last compiled."""
    catalogues.compile_catalogue(LOCALE, POT, catalog)
