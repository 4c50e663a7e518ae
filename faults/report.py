"""What the suite prints: per fault, each invariant with PASS or FAIL and the figures behind it."""

import statistics
from dataclasses import dataclass, field


@dataclass
class Check:
    invariant: str
    passed: bool
    figures: str


@dataclass
class FaultResult:
    key: str
    title: str
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    def check(self, invariant, passed, figures):
        self.checks.append(Check(invariant, bool(passed), figures))

    def note(self, text):
        self.notes.append(text)

    @property
    def passed(self):
        return self.error is None and bool(self.checks) and all(c.passed for c in self.checks)

    def lines(self):
        out = [f"== {self.key}. {self.title}  [{'PASS' if self.passed else 'FAIL'}, {self.seconds:.0f} s]"]
        for c in self.checks:
            out.append(f"   {'PASS' if c.passed else 'FAIL'}  {c.invariant}")
            out.append(f"         {c.figures}")
        if self.error:
            out.append(f"   FAIL  the scenario did not complete: {self.error}")
        for n in self.notes:
            out.append(f"   note: {n}")
        return out


def percentile(values, p):
    """The p-th percentile (nearest rank) of `values`, or None."""
    values = sorted(values)
    if not values:
        return None
    k = max(0, min(len(values) - 1, int(round(p / 100 * len(values) + 0.5)) - 1))
    return values[k]


def ms(seconds):
    return "n/a" if seconds is None else f"{seconds * 1000:.0f} ms"


def secs(seconds):
    return "n/a" if seconds is None else f"{seconds:.1f} s"


def median(values):
    return statistics.median(values) if values else None
