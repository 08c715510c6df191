"""Planted integrations and the pytester project around them, shared by the plugin's tests."""

from __future__ import annotations

import pytest

#: A reference integration with the incident's flaw planted: signup creates the customer inline
#: (pinned as it should be). ``{lacks}`` is the class's capability declaration, or nothing.
EAGER = """
import stripe
from harness.reference.adapter import ReferenceAdapter

class EagerAdapter(ReferenceAdapter):
    {lacks}
    def __init__(self, settings, workdir):
        super().__init__(settings, workdir)
        self.key, self.version = settings.api_key, settings.api_version

    def signup(self, email):
        user_id = super().signup(email)
        stripe.Customer.create(email=email, api_key=self.key, stripe_version=self.version)
        return user_id
"""


def pyproject(*api_versions: str) -> str:
    """A one-release ``pyproject.toml`` at these API versions; ``{adapter}`` is left for :func:`project`."""
    versions = ", ".join(f'"{v}"' for v in api_versions)
    return (
        '[tool.stripe-compat]\nadapter = "{adapter}"\ncassettes = "cassettes"\n\n'
        f'[tool.stripe-compat.matrix]\nstripe = ["16.1.0"]\napi_versions = [{versions}]\n'
    )


def eager(lacks: str = "") -> str:
    """The eager-signup integration's source, declaring ``lacks`` (e.g. ``'{"invoicing"}'``) when given."""
    return EAGER.format(lacks=f"lacks = {lacks}\n" if lacks else "")


def project(pytester: pytest.Pytester, pyproject: str, module: str, source: str, adapter: str) -> pytest.Pytester:
    """A project in ``pytester``'s folder whose ``[tool.stripe-compat]`` adapter is ``module:adapter``."""
    pytester.makefile(".toml", pyproject=pyproject.format(adapter=f"{module}:{adapter}"))
    pytester.makepyfile(**{module: source})
    pytester.syspathinsert()
    return pytester
