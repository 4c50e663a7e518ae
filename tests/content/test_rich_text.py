"""Formatted question text: cleaned of anything that could run or restyle a page, formulas drawn as MathML, plain
text shown exactly as written."""

from html.parser import HTMLParser

import pytest

from lti_tool.content import rich_text

# What a stored-XSS attempt looks like in question banks (OWASP's filter evasion cheat sheet, abridged).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">link</a>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<p style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">text</p>",
    "<math><mtext><style><img src=x onerror=alert(1)></style></mtext></math>",
    "<object data=\"x.swf\"></object><embed src=x>",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<base href=\"https://evil.example/\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<div onmouseover=\"alert(1)\">hover</div>",
    "\\(\\text{<img src=x onerror=alert(1)>}\\)",
    "\\(\\text{&lt;img src=x onerror=alert(1)&gt;}\\)",
    "\\(\\text{&lt;/mtext&gt;&lt;/math&gt;&lt;script&gt;alert(1)&lt;/script&gt;}\\)",
]
UNSAFE_TAGS = {"script", "iframe", "svg", "object", "embed", "form", "input", "style", "meta", "base", "link", "a",
               "details", "body", "frame", "frameset", "template"}


class _Markup(HTMLParser):
    """Every element and attribute a browser would make of some HTML."""

    def __init__(self, text):
        super().__init__()
        self.found = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def dangers(text):
    """What in `text` could run, load from elsewhere or restyle a page: unsafe elements, event and style
    attributes, script URLs, pictures not from the tool's own store."""
    found = []
    for tag, attrs in _Markup(text).found:
        found += [tag] if tag in UNSAFE_TAGS else []
        found += [f"{tag}[{name}]" for name in attrs if name.startswith("on") or name == "style"]
        found += [f"{tag}[{name}={value}]" for name, value in attrs.items()
                  if name in ("src", "href") and not (value or "").startswith("/content/images/")]
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_nothing_that_runs_survives_cleaning_or_showing(payload):
    shown = rich_text.to_html(rich_text.clean(f"<p>Before {payload} after</p>"), "html")
    assert not dangers(shown), shown
    assert shown.startswith("<p>Before") and "after" in shown


def test_the_danger_check_sees_what_it_looks_for():
    assert dangers('<p onclick="x">a</p><img src="https://x/y.png"><script></script><a href="javascript:x">l</a>') == [
        "p[onclick]", "img[src=https://x/y.png]", "script", "a", "a[href=javascript:x]"]
    assert dangers('<p>&lt;img src=x onerror=alert(1)&gt;</p><img src="/content/images/3" alt="x">') == []


def test_the_allowed_formatting_is_kept():
    source = ("<p>A <strong>bold</strong>, <em>slanted</em> H<sub>2</sub>O x<sup>2</sup> <code>print()</code></p>"
              "<ul><li>one</li></ul><ol start=\"3\"><li>three</li></ol>"
              "<table><caption>Data</caption><tr><th scope=\"col\">n</th></tr><tr><td>1</td></tr></table>"
              "<pre><code>for i in range(3):\n    print(i)</code></pre>")
    cleaned = rich_text.clean(source)
    for kept in ("<strong>bold</strong>", "<em>slanted</em>", "<sub>2</sub>", "<sup>2</sup>", "<code>print()</code>",
                 "<li>one</li>", '<ol start="3">', "<caption>Data</caption>", '<th scope="col">n</th>',
                 "<td>1</td>", "for i in range(3):\n    print(i)"):
        assert kept in cleaned, kept


def test_formulas_become_mathml_inline_and_displayed():
    shown = rich_text.to_html(r"<p>Area \(\pi r^2\) and</p><p>\[\frac{a}{b}\]</p><p>$$\sqrt{2}$$</p>", "html")
    assert shown.count("<math") == 3
    assert ('<math alttext="\\pi r^2" aria-label="\\pi r^2" display="inline"><mrow><mi>π</mi><msup><mi>r</mi>'
            '<mn>2</mn></msup></mrow></math>') in shown
    assert 'aria-label="\\frac{a}{b}" display="block"><mrow><mfrac>' in shown and "<msqrt>" in shown
    assert "\\(" not in shown and "$$" not in shown


def test_a_less_than_sign_in_a_formula_is_drawn_not_taken_for_a_tag():
    shown = rich_text.to_html(rich_text.clean(r"<p>\(a &lt; b\)</p>"), "html")
    assert "<mi>a</mi><mo>&lt;</mo><mi>b</mi>" in shown


def test_a_formula_that_does_not_read_stays_as_written():
    assert rich_text.to_html(r"<p>\(\sqrt\) and \(x\)</p>", "html") == (
        r'<p>\(\sqrt\) and <math alttext="x" aria-label="x" display="inline"><mrow><mi>x</mi></mrow></math></p>')


def test_plain_text_is_shown_as_written_markup_and_formulas_included():
    shown = rich_text.to_html("Is <b>this</b> bold?\nSecond line \\(x\\) & more", "plain")
    assert shown == "Is &lt;b&gt;this&lt;/b&gt; bold?<br>Second line \\(x\\) &amp; more"


def test_the_plain_words_of_formatted_text():
    assert rich_text.to_plain("<p>Water is H<sub>2</sub>O &amp; ice</p>", "html") == "Water is H2O & ice"
    assert rich_text.to_plain("a <b> c", "plain") == "a <b> c"
