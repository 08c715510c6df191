"""``python -m shop``: run the shop on port 8000 with settings from the environment.

STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_API_VERSION are required: the shop pins
its API version explicitly, so an account default change never reaches it unannounced.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .app import ShopApp, ShopSettings
from .server import serve_forever
from .stripe_api import StripeConfig


def main() -> None:
    """Read the environment, build the app and serve it."""
    missing = [k for k in ("STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_VERSION") if not os.environ.get(k)]
    if missing:
        sys.exit(f"Set {', '.join(missing)} in the environment, then run python -m shop again.")
    settings = ShopSettings(
        stripe=StripeConfig(api_key=os.environ["STRIPE_API_KEY"], api_version=os.environ["STRIPE_API_VERSION"]),
        webhook_secret=os.environ["STRIPE_WEBHOOK_SECRET"],
        database=Path(os.environ.get("SHOP_DATABASE", "shop.sqlite3")),
    )
    serve_forever(ShopApp(settings), "127.0.0.1", int(os.environ.get("PORT", "8000")))


if __name__ == "__main__":
    main()
