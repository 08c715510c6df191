"""Per-cell JUnit XML for CI test viewers, gathered for the run's cells and labelled with the cell.

pytest's own files (``--junitxml``) are kept for their tracebacks and captured output,
but every cell runs the same scenarios under the same names, so a viewer that keys
on (classname, name) would merge 30 cells into one. Each file is therefore rewritten
with the cell in every classname and ``<properties>`` naming the stripe release, API
version, backend and run id; counts are recomputed so errors and failures stay apart.
A cell that ran without a JUnit file (or could not install) gets one built from its
result file, so no cell of the verdict is missing from the test report.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .results import CellResult
from .verdict import Verdict, failure_rows, first_line

#: Where the compat session writes ``<cell>.xml`` (``--junitxml=.stripe-compat/junit/<cell>.xml``).
DEFAULT_JUNIT_DIR = Path(".stripe-compat/junit")


def _properties(result: CellResult) -> dict[str, str]:
    return {
        "stripe_compat.cell": result.cell.id,
        "stripe_compat.stripe": result.cell.stripe,
        "stripe_compat.api_version": result.cell.api_version,
        "stripe_compat.backend": result.backend,
        "stripe_compat.run_id": str(result.run_id),
    }


def _label_suite(suite: ET.Element, result: CellResult) -> None:
    suite.set("name", f"stripe-compat[{result.cell.id}]")
    props = suite.find("properties")
    if props is None:
        props = ET.Element("properties")
        suite.insert(0, props)
    have = {p.get("name") for p in props.iter("property")}
    for name, value in _properties(result).items():
        if name not in have:
            ET.SubElement(props, "property", name=name, value=value)
    cases = suite.findall("testcase")
    for case in cases:
        case.set("classname", f"[{result.cell.id}] {case.get('classname', '')}".rstrip())
    suite.set("tests", str(len(cases)))
    for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attr, str(sum(case.find(tag) is not None for case in cases)))


def relabel(xml: bytes, result: CellResult) -> ET.ElementTree:
    """pytest's JUnit XML for one cell, with the cell in every suite name, classname and property set."""
    root = ET.fromstring(xml)
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    for suite in suites:
        _label_suite(suite, result)
    if root.tag == "testsuites":
        for attr in ("tests", "failures", "errors", "skipped"):
            root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    return ET.ElementTree(root)


def synthesize(result: CellResult) -> ET.ElementTree:
    """A JUnit file from the result JSON alone, for a cell without pytest's (no traceback, same outcomes)."""
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite")
    for scenario in result.scenarios:
        module, _, name = scenario["id"].rpartition("::")
        case = ET.SubElement(suite, "testcase", classname=module.replace("/", ".").removesuffix(".py"), name=name)
        tag = {"failed": "failure", "error": "error", "skipped": "skipped", "not_applicable": "skipped"}
        if (kind := tag.get(scenario["outcome"])) is not None:
            ET.SubElement(case, kind, message=first_line(scenario["reason"])).text = scenario["reason"]
    if not result.scenarios:
        for row in failure_rows(result):
            case = ET.SubElement(suite, "testcase", classname="stripe-compat", name="cell")
            ET.SubElement(case, "error", message=first_line(row["reason"])).text = row["reason"]
    _label_suite(suite, result)
    root.set("tests", suite.get("tests", "0"))
    for attr in ("failures", "errors", "skipped"):
        root.set(attr, suite.get(attr, "0"))
    return ET.ElementTree(root)


def collect_junit(verdict: Verdict, source: Path, target: Path) -> tuple[list[Path], list[str]]:
    """Write each cell that ran's labelled ``<cell>.xml`` into ``target``.

    Returns the files written and the ids of cells whose JUnit file was missing
    (built from their result file instead, without tracebacks).
    """
    written, missing = [], []
    target.mkdir(parents=True, exist_ok=True)
    for stale in target.glob("*.xml"):  # an earlier report's cells must not pass for this run's
        stale.unlink()
    for result in verdict.ran:
        found = source / f"{result.cell.id}.xml"
        if result.installed and found.is_file():
            try:
                tree = relabel(found.read_bytes(), result)
            except ET.ParseError:
                missing.append(result.cell.id)
                tree = synthesize(result)
        else:
            if result.installed:
                missing.append(result.cell.id)
            tree = synthesize(result)
        path = target / f"{result.cell.id}.xml"
        tree.write(path, encoding="utf-8", xml_declaration=True)
        written.append(path)
    return written, missing
