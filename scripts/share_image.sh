#!/usr/bin/env bash
# Renders static/img/share.svg to the committed static/img/share.png (1200x630) with Chromium.
# Run again after changing the SVG; the PNG is what social sites and search engines fetch.
set -eu
cd "$(dirname "$0")/.."
profile=$(mktemp -d)
page=$(mktemp --suffix=.html)
trap 'rm -rf "$profile" "$page"' EXIT
printf '<!doctype html><style>html,body{margin:0}</style>%s' "$(cat static/img/share.svg)" > "$page"
chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
  --user-data-dir="$profile" --window-size=1200,630 --screenshot=static/img/share.png \
  "file://$page" >/dev/null 2>&1
echo static/img/share.png
