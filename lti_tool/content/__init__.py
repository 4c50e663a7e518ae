"""What a test maker writes into questions: plain text, or formatted text (a safe subset of HTML) with formulas in
TeX. Formatted text is cleaned on the way in (rich_text.clean) and every page shows what rich_text.to_html makes
of it, the formulas as MathML (formulas.py), so the student, the editor's preview, the marks and the review see
the same thing."""
