"""A second instance of the integration in the same state, to deliver the in-order baseline to.

"State after any pattern equals state after one in-order delivery" needs both states
from the same starting point, and the adapter interface has no way to copy or reset an
integration. So the twin is built by running the same steps again, with every Stripe
call answered by the response the first instance got: same inputs, same answers, same
state, no extra request in the cassette.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..adapter import BillingAdapter, StripeSettings, make_adapter
from ..backends.base import Backend, Request, Response
from ..backends.spy import Exchange
from ..errors import HarnessError
from ..stripe_http import routed_to


class Echo(Backend):
    """Answers the n-th request with the n-th recorded response, if it is the same call."""

    name = "echo"

    def __init__(self, exchanges: Sequence[Exchange], api_base: str) -> None:
        self._pending = list(exchanges)
        self.api_base = api_base

    def handle_request(self, request: Request) -> Response:
        if not self._pending:
            raise HarnessError(f"the twin sent {request.describe()} that the integration never sent")
        expected = self._pending.pop(0)
        if (expected.request.method, expected.request.path) != (request.method, request.path) or not expected.response:
            msg = (
                f"the twin sent {request.describe()} where the integration sent {expected.request.describe()}: "
                "the integration is not deterministic for the same inputs, so no twin can be built"
            )
            raise HarnessError(msg)
        return expected.response


@contextlib.contextmanager
def twin(
    factory: Any,
    settings: StripeSettings,
    workdir: Path,
    exchanges: Sequence[Exchange],
    build: Callable[[BillingAdapter], None],
) -> Iterator[BillingAdapter]:
    """A fresh adapter on ``workdir`` brought to the first one's state by ``build``, echoing ``exchanges``."""
    workdir.mkdir(parents=True, exist_ok=True)
    echo = Echo(exchanges, settings.api_base)
    with routed_to(echo) as client:
        adapter = make_adapter(factory, dataclasses.replace(settings, http_client=client), workdir)
        try:
            build(adapter)
            yield adapter
        finally:
            adapter.close()
