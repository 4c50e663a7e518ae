"""Questions as a question file gives them, before they are stored: what every reader (CSV, JSON, GIFT, Moodle XML)
makes, and what the import checks."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ParsedOption:
    text: str
    correct: bool
    weight: float | None = None  # partial-credit percent for multi-answer questions, -100..100


@dataclass(frozen=True)
class ParsedQuestion:
    line: int
    kind: str
    text: str
    points: float
    explanation: str | None
    options: tuple[ParsedOption, ...]
    format: str = "plain"  # of every text of the question: "plain" or "html" (lti_tool/content/rich_text.py)
    category: str = ""  # the file's grouping of the question, "" for none (exam/draws.py)
    tags: tuple[str, ...] = ()  # normalised by exam/tags.py


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line of the file; 0 for the file as a whole
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Skipped:
    """A question of a type this tool does not take (a Moodle essay, matching, ...), listed, never half-imported."""

    line: int
    name: str
    type: str  # as the file names it
