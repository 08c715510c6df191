"""Matching what the code does against what the upgrade changes.

Library rules come from the table of library breaks (``harness/upgrade/known_causes.json``):
a pattern counts when its break starts to apply between the two releases. API rules come
from the version-change catalogue between the two API versions the code really uses
(an unpinned integration follows the library's own pin).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..contracts.catalogue import RequestChange, load_catalogue, version_key
from ..contracts.diff import DiffRow, diff_versions
from ..contracts.registry import resolve_contracts_dir
from ..upgrade.causes import CodePattern, LibraryBreak, library_breaks
from .findings import Confidence, Finding
from .usages import FileUses, Use

#: Diff rows that break a reader of the field (``absent``: added after the version a rollback goes to).
_READ_BREAKS = ("removed", "moved", "retyped", "absent")


@dataclass(frozen=True)
class ApiKnowledge:
    """The catalogue's changes between two API versions, indexed for the scan."""

    rows: tuple[DiffRow, ...]
    retyped_fields: dict[tuple[str, str], frozenset[str]]  # (object, field) -> the new shape's sub-fields
    requests: tuple[tuple[str, RequestChange], ...]  # (version, change)

    @classmethod
    def between(cls, source: str, target: str, contracts_dir: Path | None = None) -> ApiKnowledge:
        rows = tuple(r for r in diff_versions(source, target, contracts_dir) if r.change in _READ_BREAKS)
        low, high = sorted((source, target), key=version_key)
        upgrade = version_key(source) <= version_key(target)
        retyped: dict[tuple[str, str], frozenset[str]] = {}
        requests = []
        absent = []
        for release in load_catalogue(resolve_contracts_dir(contracts_dir)):
            if not version_key(low) < version_key(release.version) <= version_key(high):
                continue
            for change in release.changes:
                if change.change == "retyped" and upgrade and change.schema and "properties" in change.schema:
                    retyped[(change.object, change.path)] = frozenset(change.schema["properties"])
                if change.change == "added" and not upgrade and not change.backfill and not change.required:
                    # contracts diff leaves optional additions out (they cannot break a reader going
                    # forward); going back, code that reads one meets a field that is not there yet.
                    absent.append(DiffRow(release.version, change.object, change.path, "absent", None, False,
                                          change.source, change.note))
            if upgrade:
                requests += [(release.version, request) for request in release.requests]
        return cls((*rows, *absent), retyped, tuple(requests))


@dataclass(frozen=True)
class Context:
    """One file's uses and where they are, plus the two ends of the upgrade."""

    path: Path
    text: str
    uses: FileUses
    source_release: str
    target_release: str


def make_finding(ctx: Context, use: Use, rule: str, what: str, changed_in: str, fix: str, severity: str,
                 source: str, confidence: Confidence | None = None) -> Finding:
    """A finding at ``use``'s node, with the first line of its code."""
    node = use.node
    code = (ast.get_source_segment(ctx.text, node) or "").strip().splitlines()
    snippet = code[0] + (" ..." if len(code) > 1 else "") if code else ""
    return Finding(
        ctx.path, node.lineno, node.col_offset + 1, getattr(node, "end_lineno", node.lineno) or node.lineno,
        (getattr(node, "end_col_offset", node.col_offset) or node.col_offset) + 1,
        snippet[:120], rule, what, changed_in, fix, confidence or use.confidence, severity, source,
    )


#: Pattern kinds about the library's names, which version-probing code may use on purpose.
_PROBED = frozenset({"import", "attribute", "v1_service", "flat_service"})


def _matches(pattern: CodePattern, use: Use) -> bool:
    kind = pattern.kind
    if use.guarded and kind in _PROBED:
        return False
    if kind == "import":
        return use.kind == "import" and any(use.name == n or use.name.startswith(n + ".") for n in pattern.names)
    if kind == "attribute":
        return use.kind == "attribute" and any(use.name == n or use.name.startswith(n + ".") for n in pattern.names)
    if kind in ("method", "builtin"):
        return use.kind == kind and use.name in pattern.names
    if kind == "field":
        return use.kind == "field" and use.path[-1] in pattern.names
    if kind == "service_method":
        return use.kind == "service_method" and use.name in pattern.names and use.object == "invoice"
    if kind == "positional_options":
        limit = 0 if use.operation in ("create", "list") else 1
        return use.kind == "call" and use.style == "global" and use.operation in (
            "create", "list", "retrieve", "modify", "delete") and use.positional > limit
    if kind == "bool_param":
        return use.kind == "call" and use.bools
    return use.kind == kind  # flat_service, v1_service: the use is the pattern


def library_findings(ctx: Context, breaks: tuple[LibraryBreak, ...] | None = None) -> Iterator[Finding]:
    """Uses of library APIs whose behaviour the upgrade changes."""
    for brk in breaks or library_breaks():
        if not brk.breaks_between(ctx.source_release, ctx.target_release):
            continue
        for pattern in brk.code:
            if pattern.kind in ("unpinned", "retries_default"):
                continue  # about the whole code base: see project_findings
            for use in ctx.uses.uses:
                if _matches(pattern, use):
                    yield make_finding(ctx, use, f"library:{brk.id}", brk.title, f"stripe {brk.release}", brk.fix,
                                   brk.severity, brk.source)


def _field_finding(ctx: Context, use: Use, row: DiffRow, knowledge: ApiKnowledge) -> Finding | None:
    path = ".".join(use.path)
    if not (path == row.field or path.startswith(row.field + ".")):
        return None
    if row.change == "retyped":
        sub = use.path[len(row.field.split(".")):]
        fields = knowledge.retyped_fields.get((row.object, row.field))
        if not sub or fields is None or sub[0] in fields:
            return None  # reading the field itself, or a part the new shape still has
        what = f"{row.object}.{path} is gone: {row.field} was retyped ({row.note})" if row.note else \
            f"{row.object}.{path} is gone: {row.field} was retyped"
        fix = f"read {row.field}.{'|'.join(sorted(fields))} instead"
    elif row.change == "absent":
        what = f"{row.object}.{row.field} does not exist before API {row.version}, which added it"
        fix = f"read it only when present (getattr(obj, \"{row.field.split('.')[0]}\", None)), or keep the API version"
    elif row.change == "moved":
        what = f"{row.object}.{row.field} moved to {row.to}"
        fix = f"read {row.object}.{row.to}"
    else:
        what = f"{row.object}.{row.field} was {row.change}"
        fix = row.note or f"stop reading {row.field}"
    return make_finding(ctx, use, f"api:{row.object}.{row.field}", what, f"API {row.version}", fix, "error", row.source)


def api_findings(ctx: Context, knowledge: ApiKnowledge) -> Iterator[Finding]:
    """Reads of response fields and uses of request parameters that the API versions change."""
    for use in ctx.uses.uses:
        if use.kind == "field":
            for row in knowledge.rows:
                if row.object == use.object and (found := _field_finding(ctx, use, row, knowledge)):
                    yield found
        elif use.kind == "call" and not use.fixed_version:
            for version, req in knowledge.requests:
                if req.object == use.object and use.operation in req.operations and req.param in use.params:
                    what = f"{req.object} {use.operation}: parameter {req.param} was {req.change}" + (
                        f" (now {req.to})" if req.to else "")
                    yield make_finding(ctx, use, f"api:{req.object}.{use.operation}.{req.param}", what,
                                   f"API {version}", req.note or f"stop sending {req.param}", "error", req.source)
