#!/usr/bin/env bash
# The picture in docs/report-heatmap.png: the matrix run with the deliberately old-style
# integration in examples/legacy_integration (so some cells fail for real reasons), its
# HTML report, and a screenshot of that page taken by headless Chromium.
#   bash docs/screenshot_report.sh        # needs nox[uv] and chromium (Debian: apt install chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no Chromium found: install it (Debian: apt install chromium) and run again" >&2; exit 2; }

export STRIPE_COMPAT_RUN_ID="legacy-$(date +%Y%m%dT%H%M%S)"
nox -s compat -- --stripe-adapter=examples.legacy_integration.adapter:LegacyAdapter >/dev/null 2>&1 || true  # red cells expected
out=.stripe-compat/report-legacy
nox -s report -- --run-id "$STRIPE_COMPAT_RUN_ID" --out "$out" >/dev/null 2>&1 || true  # exit 1: cells failed
[ -s "$out/report.html" ] || { echo "the report was not written; run: nox -s report -- --run-id $STRIPE_COMPAT_RUN_ID" >&2; exit 1; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1400 \
    --screenshot="$PWD/docs/report-heatmap.png" "file://$PWD/$out/report.html" 2>/dev/null
echo "docs/report-heatmap.png from $out/report.html"
