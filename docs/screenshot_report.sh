#!/usr/bin/env bash
# The pictures in docs/report-{green,red,partial}.png: the HTML report of three real runs,
# taken by headless Chromium.
#   green    every cell of the matrix, the reference integration
#   red      every cell, the deliberately old-style integration in examples/legacy_integration
#            (its obj.get(...) calls break on stripe >= 15, where StripeObject is no longer a dict)
#   partial  one API version's cells only, filtered with -k lazy: what the verdict says of a
#            run that proves less than the matrix
#   bash docs/screenshot_report.sh        # needs nox[uv] and chromium (Debian: apt install chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "no Chromium found: install it (Debian: apt install chromium) and run again" >&2; exit 2; }

shoot() {  # name, then the nox arguments of the run
    local name=$1; shift
    export STRIPE_COMPAT_RUN_ID="$name-$(date +%Y%m%dT%H%M%S)"
    local out=".stripe-compat/report-$name"
    echo "$name: nox $*" >&2
    nox "$@" >".stripe-compat/screenshot-$name.log" 2>&1 || true  # red and partial runs exit 1 by design
    nox -s report -- --run-id "$STRIPE_COMPAT_RUN_ID" --out "$out" >>".stripe-compat/screenshot-$name.log" 2>&1 || true
    [ -s "$out/report.html" ] || { echo "no report for $name; see .stripe-compat/screenshot-$name.log" >&2; exit 1; }
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1000 \
        --screenshot="$PWD/docs/report-$name.png" "file://$PWD/$out/report.html" 2>/dev/null
    echo "docs/report-$name.png from $out/report.html" >&2
}

mkdir -p .stripe-compat
shoot green -s compat
shoot red -s compat -- --stripe-adapter=examples.legacy_integration.adapter:LegacyAdapter
shoot partial -t api-2025-03-31.basil -- -k lazy
