"""TeX between \\( \\), \\[ \\] or $$ $$ in formatted text, shown as MathML (which browsers draw without a script).

latex2mathml copies \\text{...} into the MathML as it is, so what it makes is cleaned again with a MathML-only
allowlist before it reaches a page."""

import html
import re

import latex2mathml.converter
import nh3

# \( inline \), \[ display \], $$ display $$: the delimiters Moodle's and Canvas's filters read.
DELIMITED = re.compile(r"\\\((?P<inline>.+?)\\\)|\\\[(?P<display>.+?)\\\]|\$\$(?P<dollars>.+?)\$\$", re.DOTALL)
MATHML_TAGS = frozenset({
    "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "mfrac", "msqrt",
    "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover", "mtable", "mtr", "mtd", "mstyle",
    "mpadded", "mphantom", "menclose", "merror",
})
MATHML_ATTRIBUTES = {
    "math": {"display"},
    "mo": {"stretchy", "fence", "separator", "lspace", "rspace", "form", "largeop", "movablelimits", "symmetric",
           "minsize", "maxsize", "accent"},
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mi": {"mathvariant"}, "mn": {"mathvariant"}, "mtext": {"mathvariant"},
    "mspace": {"width", "height", "depth"},
    "mfrac": {"linethickness"},
    "mover": {"accent"}, "munder": {"accentunder"}, "munderover": {"accent", "accentunder"},
    "mtable": {"columnalign", "rowspacing", "columnspacing"},
    "mtd": {"columnalign"},
    "menclose": {"notation"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
}


def with_mathml(text):
    """`text` (cleaned HTML) with each delimited formula replaced by its MathML; a formula that does not read
    stays as its TeX."""
    return DELIMITED.sub(_formula, text)


def _formula(match):
    tex = html.unescape(match["inline"] or match["display"] or match["dollars"])
    display = "inline" if match["inline"] is not None else "block"
    try:
        mathml = latex2mathml.converter.convert(tex, display=display)
    except Exception:  # latex2mathml raises many types for TeX it cannot read; the source stays readable
        return match[0]
    cleaned = nh3.clean(mathml, tags=MATHML_TAGS, attributes=MATHML_ATTRIBUTES)
    # Named by its TeX, as Moodle's TeX filter names its pictures: browsers make a formula's name from its text
    # alone, so a radio showing a square root of 3 would otherwise be read as "3".
    source = html.escape(" ".join(tex.split()))
    return cleaned.replace("<math ", f'<math alttext="{source}" aria-label="{source}" ', 1)
