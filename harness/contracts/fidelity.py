"""``stripe-compat contracts fidelity PATH…``: do recorded responses carry Stripe's default field set?

For every response in the cassettes (at its recorded ``Stripe-Version``) and every object in it,
the fields Stripe would not send at that version and the default fields it would send but the
recording lacks (see :mod:`harness.contracts.shapes`). A contract check accepts a customer
without ``balance`` (the lenient profile must: Stripe adds fields without notice); this one does
not, because a replay that lacks ``balance`` fails code that Stripe would serve, and one that
carries ``sources`` passes code that Stripe would break.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .payloads import read_payloads
from .shapes import FidelityCheck, Finding


@dataclass
class FidelityReport:
    """Findings over a set of files, with the objects counted per (object, version)."""

    findings: list[tuple[str, Finding]] = field(default_factory=list)
    payloads: int = 0
    skipped: list[str] = field(default_factory=list)

    def per_object(self) -> dict[tuple[str, str], Counter[str]]:
        """``{(object, version): Counter({"unexpected": n, "missing": m, ...})}``."""
        out: dict[tuple[str, str], Counter[str]] = {}
        for _location, finding in self.findings:
            out.setdefault((finding.object_type, finding.api_version), Counter())[finding.kind] += 1
        return out

    def fields(self) -> Counter[tuple[str, str, str, str]]:
        """How often each (version, object, kind, field path without indices) was found."""
        return Counter(
            (f.api_version, f.object_type, f.kind, _generic(f.path)) for _location, f in self.findings
        )

    def as_json(self) -> dict[str, object]:
        return {
            "payloads_checked": self.payloads,
            "skipped_without_recorded_version": self.skipped,
            "findings": [{"location": loc, **vars(f)} for loc, f in self.findings],
        }

    def as_text(self) -> str:
        lines = [
            f"{version} {obj} {kind}: {path} ({count}×)"
            for (version, obj, kind, path), count in sorted(self.fields().items())
        ]
        lines += [f"{location}: skipped, no Stripe-Version header" for location in self.skipped]
        if self.findings:
            lines.append("")
            lines.append("| object | API version | unexpected | missing | expanded |")
            lines.append("|---|---|---|---|---|")
            for (obj, version), counts in sorted(self.per_object().items()):
                kinds = " | ".join(str(counts[kind]) for kind in ("unexpected", "missing", "expanded"))
                lines.append(f"| {obj} | {version} | {kinds} |")
        lines.append(f"{self.payloads} payload(s) checked: {len(self.findings)} finding(s)")
        return "\n".join(lines)


def _generic(path: str) -> str:
    """``$.data[3].sources`` -> ``$.data[].sources``: one line per field, not per occurrence."""
    out, depth = [], 0
    for char in path:
        if char == "[":
            depth += 1
            out.append("[]")
        elif char == "]":
            depth -= 1
        elif depth == 0:
            out.append(char)
    return "".join(out)


def check_files(paths: Iterable[Path], api_version: str | None = None) -> FidelityReport:
    """Every response in ``paths`` at ``api_version``, or at its recorded ``Stripe-Version`` when None."""
    report = FidelityReport()
    checks: dict[str, FidelityCheck] = {}
    for path in paths:
        for payload in read_payloads(path):
            version = api_version or payload.recorded_version
            if version is None:
                report.skipped.append(payload.location)
                continue
            check = checks.get(version) or checks.setdefault(version, FidelityCheck(version))
            report.payloads += 1
            report.findings += [(payload.location, f) for f in check.findings(payload.body, payload.expand)]
    return report


def dumps(report: FidelityReport) -> str:
    """The JSON form of a report, for ``--json``."""
    return json.dumps(report.as_json(), indent=2)
