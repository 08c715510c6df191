"""One scan: read the files, find their Stripe uses, match them against both kinds of knowledge."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ConfigError
from ..matrix import LIBRARY_DEFAULT, Cell
from ..upgrade.causes import LibraryBreak, library_breaks
from .findings import Finding, ScanResult
from .rules import ApiKnowledge, Context, api_findings, library_findings, make_finding
from .sources import parse, python_files
from .usages import find_uses


def _project_break(kind: str) -> LibraryBreak | None:
    return next((b for b in library_breaks() if any(c.kind == kind for c in b.code)), None)


def effective_api_versions(source: Cell, target: Cell, pinned: bool) -> tuple[str, str]:
    """The API versions the code really talks: its own pin, or else each release's (the account's before 6.0)."""
    pins = _project_break("unpinned")
    if pinned or pins is None:
        return source.api_version, target.api_version
    return (pins.pinned_version(source.stripe) or source.api_version,
            pins.pinned_version(target.stripe) or target.api_version)


#: ``# stripe-compat: ignore`` silences every finding on its line; ``ignore[api:invoice.paid, ...]`` those rules.
_IGNORE = re.compile(r"#\s*stripe-compat:\s*ignore(?:\[([^\]]*)\])?")


def silenced(finding: Finding, line: str) -> bool:
    """Whether the finding's line carries an ignore comment for it (a reviewed, accepted use)."""
    match = _IGNORE.search(line)
    if match is None:
        return False
    rules = {r.strip() for r in (match.group(1) or "").split(",") if r.strip()}
    return not rules or finding.rule in rules


def concrete(cell: Cell) -> Cell:
    """``16.1.0@library-default`` as the version that release sends unpinned (the breaks table's pins)."""
    if cell.api_version != LIBRARY_DEFAULT:
        return cell
    pins = _project_break("unpinned")
    sent = pins.pinned_version(cell.stripe) if pins is not None else None
    if sent is None:
        msg = (f"stripe {cell.stripe} sends no API version, so {cell.id} means your account's default; "
               f"name that version instead (e.g. {cell.stripe}@2020-08-27).")
        raise ConfigError(msg)
    return Cell(cell.stripe, sent)


def _project_findings(contexts: list[Context], source: Cell, target: Cell, effective: tuple[str, str],
                      pinned: bool, sets_retries: bool) -> list[Finding]:
    """What the code base as a whole does not decide, reported at its first Stripe call."""
    calls = sorted(((c, u) for c in contexts for u in c.uses.uses if u.kind == "call"),
                   key=lambda cu: (str(cu[0].path), cu[1].node.lineno))
    found = []
    pins = _project_break("unpinned")
    if pins is not None and calls and not pinned and effective[0] != effective[1]:
        ctx, use = calls[0]
        what = (f"no API version is pinned anywhere: stripe {source.stripe} sends "
                f"{pins.pinned_version(source.stripe) or 'none (the account default applies)'}, stripe "
                f"{target.stripe} sends {effective[1]}, so this upgrade also moves the API version "
                f"{effective[0]} -> {effective[1]}")
        found.append(make_finding(ctx, use, f"library:{pins.id}", what, f"stripe {target.stripe}", pins.fix,
                              pins.severity, pins.source))
    retries = _project_break("retries_default")
    global_calls = [cu for cu in calls if cu[1].style == "global"]
    if retries is not None and global_calls and not sets_retries and retries.breaks_between(source.stripe,
                                                                                              target.stripe):
        ctx, use = global_calls[0]
        found.append(make_finding(ctx, use, f"library:{retries.id}", retries.title + " (max_network_retries is never "
                              "set here)", f"stripe {retries.release}", retries.fix, retries.severity, retries.source))
    return found


def scan(paths: list[Path], source: Cell, target: Cell, contracts_dir: Path | None = None, *,
         include_notes: bool = False) -> ScanResult:
    """Every finding in the Python files under ``paths`` for the upgrade ``source`` -> ``target``.

    ``note`` findings (changes that only matter to byte-exact request matching) are left
    out unless ``include_notes``.
    """
    result = ScanResult(source.id, target.id)
    source, target = concrete(source), concrete(target)
    result.named_api = (source.api_version, target.api_version)
    ApiKnowledge.between(source.api_version, target.api_version, contracts_dir)  # unknown version: fail first
    contexts = []
    for path in python_files(paths):
        tree, text, problem = parse(path)
        result.files += 1
        if tree is None:
            result.unreadable.append((path, problem or "unreadable"))
            continue
        contexts.append(Context(path, text, find_uses(tree), source.stripe, target.stripe))
    pinned = any(c.uses.pins_api_version for c in contexts)
    effective = effective_api_versions(source, target, pinned)
    result.effective_api = effective
    knowledge = ApiKnowledge.between(*effective, contracts_dir)
    findings = _project_findings(contexts, source, target, effective, pinned,
                                 any(c.uses.sets_retries for c in contexts))
    for ctx in contexts:
        findings += [*library_findings(ctx), *api_findings(ctx, knowledge)]
    texts = {ctx.path: ctx.text.splitlines() for ctx in contexts}
    findings = [f for f in findings if not silenced(f, texts[f.path][f.line - 1])]
    # One finding per rule and line (the first column), notes only when asked for.
    unique = {(f.path, f.line, f.rule): f for f in reversed(findings) if include_notes or f.severity != "note"}
    result.findings = sorted(unique.values(), key=lambda f: (str(f.path), f.line, f.column, f.rule))
    return result
