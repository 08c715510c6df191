"""Where a cell's virtualenv gets stripe-compat from: the same place the adopter has it.

A cell venv (nox's compat/record sessions, the upgrade check's venvs) needs the
harness as well as the project, or pytest cannot even find the scenarios. Which
harness depends on the project: this checkout (editable), the requirement a team
wrote in ``[tool.stripe-compat] install`` (``"stripe-compat @ git+https://…"`` or a
path), or else whatever the running harness was installed from, read from its
distribution's ``direct_url.json`` (PEP 610) the way pip reports it.

Only the standard library is used: the noxfile imports this before any venv exists.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from importlib import metadata
from pathlib import Path

DIST = "stripe-compat"


def _project_table(pyproject: Path) -> dict:
    with pyproject.open("rb") as f:
        return tomllib.load(f)


def _is_harness_checkout(folder: Path) -> bool:
    pyproject = folder / "pyproject.toml"
    return pyproject.is_file() and _project_table(pyproject).get("project", {}).get("name") == DIST


def _with_extras(spec: str, extras: tuple[str, ...]) -> str:
    """``spec`` (a path, ``name @ url`` or ``name==X``) with ``extras`` added to its name."""
    if not extras:
        return spec
    tag = f"[{','.join(extras)}]"
    for sep in (" @ ", "@", "==", ">=", "~="):
        name, found, rest = spec.partition(sep)
        if found and not name.startswith((".", "/")):
            return f"{name.strip()}{tag}{found}{rest}"
    return f"{spec}{tag}"


def _from_distribution(extras: tuple[str, ...]) -> list[str]:
    try:
        dist = metadata.distribution(DIST)
    except metadata.PackageNotFoundError:
        msg = (
            f"{DIST} is not installed where nox runs, so its cells cannot get it. Install it beside nox "
            f"(pip install 'nox[uv]' '{DIST} @ git+https://…') or set [tool.stripe-compat] install = "
            f"\"{DIST} @ git+https://…\" (or a path) in pyproject.toml."
        )
        raise SystemExit(msg) from None
    direct = json.loads(dist.read_text("direct_url.json") or "null")
    if direct is None:  # from an index
        return [_with_extras(f"{DIST}=={dist.version}", extras)]
    url: str = direct["url"]
    if "vcs_info" in direct:
        vcs = direct["vcs_info"]
        return [_with_extras(f"{DIST} @ {vcs['vcs']}+{url}@{vcs['commit_id']}", extras)]
    if "dir_info" in direct:
        path = url.removeprefix("file://")
        editable = ["-e"] if direct["dir_info"].get("editable") else []
        return [*editable, _with_extras(path, extras)]
    return [_with_extras(f"{DIST} @ {url}", extras)]


def harness_install_args(project: Path, extras: tuple[str, ...] = ()) -> list[str]:
    """The ``pip install`` arguments that put stripe-compat (with ``extras``) in a cell venv for ``project``."""
    declared = _project_table(project / "pyproject.toml").get("tool", {}).get(DIST, {}).get("install")
    if declared:
        if declared.startswith((".", "/")):  # a checkout: editable, so its edits need no reinstall
            return ["-e", _with_extras(str((project / declared).resolve()), extras)]
        return [_with_extras(declared, extras)]
    if _is_harness_checkout(project):
        return ["-e", _with_extras(str(project), extras)]
    checkout = Path(__file__).resolve().parents[1]
    if _is_harness_checkout(checkout):  # imported from a checkout (editable or on sys.path)
        return ["-e", _with_extras(str(checkout), extras)]
    return _from_distribution(extras)


def project_install_args(project: Path) -> list[str]:
    """``-e project`` when the adopter's project is installable and is not the harness itself, else nothing."""
    table = _project_table(project / "pyproject.toml")
    if "build-system" not in table or _is_harness_checkout(project):
        return []
    return ["-e", str(project)]


def install_fingerprint(project: Path, specs: list[str]) -> str:
    """What a cell venv's install depends on: the specs and every pyproject.toml they install from.

    An editable checkout of the harness changes its dependencies in its own pyproject.toml,
    not the project's; a venv stamped with the project's alone would miss them.
    """
    files = [project / "pyproject.toml"]
    files += [Path(spec.split("[")[0]) / "pyproject.toml" for spec in specs if spec.startswith("/")]
    texts = [f.read_text() for f in files if f.is_file()]
    return hashlib.sha256("\n".join([*specs, *texts]).encode()).hexdigest()
