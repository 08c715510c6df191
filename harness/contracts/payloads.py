"""Read the Stripe payloads held in a JSON file or a recorded cassette.

Cassettes come from vcrpy (``interactions``, bodies possibly stored against the shared bases
of their API version folder, resolved here) and from Ruby's VCR (``http_interactions``, with
``!binary`` base64 bodies); both keep the body at ``response.body.string`` and the API version
that rendered it in the ``Stripe-Version`` response header (else the request's), which
``contracts check --api-version recorded`` uses.
"""

from __future__ import annotations

import base64
import gzip
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..cassettes.shape import shape_problem
from ..cassettes.store import resolve_references, restore_advice
from ..errors import ConfigError, DamagedCassette


@dataclass(frozen=True)
class Payload:
    """One decoded JSON body and where it came from."""

    location: str
    body: Any
    recorded_version: str | None
    #: The request's ``expand`` parameters (query or form body), for the fidelity check.
    expand: tuple[str, ...] = ()


class _CassetteLoader(yaml.SafeLoader):
    """SafeLoader that also reads Ruby VCR's ``!binary`` tag."""


_CassetteLoader.add_constructor("!binary", lambda loader, node: base64.b64decode(loader.construct_scalar(node)))


def _text(body: Any) -> str | None:
    if isinstance(body, bytes):
        if body[:2] == b"\x1f\x8b":
            body = gzip.decompress(body)
        return body.decode("utf-8", "replace")
    return body if isinstance(body, str) else None


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            first = value[0] if isinstance(value, list) else value
            return str(first)  # YAML reads an unquoted 2022-11-15 as a date
    return None


def _expand(request: dict[str, Any]) -> tuple[str, ...]:
    """``expand[]=sources`` / ``expand[0]=data.sources``, from the query string and a form body."""
    raw = request.get("body")
    body = _text(raw.get("string") if isinstance(raw, dict) else raw) or ""  # Ruby VCR: {"string": ...}
    query = urllib.parse.urlsplit(str(request.get("uri") or "")).query
    pairs = urllib.parse.parse_qsl(query) + urllib.parse.parse_qsl(body if "=" in body else "")
    return tuple(value for key, value in pairs if key == "expand" or key.startswith("expand["))


def read_payloads(path: Path) -> Iterator[Payload]:
    """Every JSON body in ``path``: each response of a cassette (JSON or YAML), else the whole JSON file."""
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}; pass JSON files or vcrpy cassettes") from exc
    except UnicodeDecodeError as exc:
        raise DamagedCassette(path, f"byte {exc.start} is not UTF-8 text", restore_advice(path)) from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{path} is not valid JSON: {exc}") from exc
        if not (isinstance(data, dict) and isinstance(data.get("interactions"), list)):
            yield Payload(str(path), data, None)
            return
    else:
        try:
            data = yaml.load(text, Loader=_CassetteLoader) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path} is neither JSON nor a YAML cassette: {exc}") from exc
    interactions = data.get("interactions") or data.get("http_interactions") if isinstance(data, dict) else None
    if not isinstance(interactions, list):
        raise ConfigError(f"{path} has no 'interactions' (vcrpy) or 'http_interactions' (Ruby VCR) list")
    if problem := shape_problem({"interactions": interactions}):  # Ruby VCR's interactions are shaped alike
        raise DamagedCassette(path, problem, restore_advice(path))
    if "interactions" in data:  # a vcrpy cassette: its bodies may be stored against shared bases
        resolve_references(data, path)
    for index, interaction in enumerate(interactions):
        response = interaction.get("response") or {}
        body = _text((response.get("body") or {}).get("string"))
        if not body:
            continue
        try:
            decoded = json.loads(body)
        except ValueError:
            continue  # not a JSON API response (HTML error page, empty 204...)
        version = _header(response.get("headers"), "Stripe-Version") or _header(
            (interaction.get("request") or {}).get("headers"), "Stripe-Version"
        )  # error responses may omit the header; the request names the version asked for
        yield Payload(f"{path}#interactions[{index}]", decoded, version, _expand(interaction.get("request") or {}))
