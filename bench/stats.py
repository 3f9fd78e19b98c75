"""Percentiles and the result rows the runner fills in and the report prints."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0 < q ≤ 1) of ``values`` (NaN when empty)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    """Seconds as milliseconds for the table."""
    if math.isnan(seconds):
        return "—"
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


@dataclass
class Row:
    """One command's measurements, end to end: the first reply and the complete reply."""

    name: str
    kind: str  # "command", "autocomplete", "submit", "baseline"
    first: list[float] = field(default_factory=list)
    complete: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    violations: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def e2e_target(self) -> float:
        """The end-to-end p99 target in seconds."""
        return 0.015 if self.kind == "autocomplete" else 0.025

    def e2e_met(self) -> bool | None:
        """Whether the end-to-end p99 meets its target (None: not measured)."""
        return None if not self.first else percentile(self.first, 0.99) <= self.e2e_target

    def outcome_text(self) -> str:
        """How the invocations ended, e.g. "reply 92%, error 8%"."""
        total = sum(self.outcomes.values())
        if not total:
            return ""
        return ", ".join(f"{k} {100 * v / total:.0f}%" for k, v in self.outcomes.most_common())
