#!/usr/bin/env bash
# Screenshots of the pages readers see, taken with headless Chromium: the
# index and an item page (the Chinese sample article and an English note),
# each at 1280 and 400 px wide, and one in the dark scheme, into
# docs/screenshots/. The daemon runs on a copy of the sample inbox on a free
# loopback port; Chromium is kept on loopback (a dead proxy and a resolver
# that knows no other host).
#
#   scripts/screenshots.sh [path/to/bulletind]   (default: target/release/bulletind)
#
# Needs chromium and fonts-noto-cjk (apt-get install chromium fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/bulletind}
out=docs/screenshots
command -v chromium >/dev/null || { echo "chromium is not installed" >&2; exit 1; }
[[ -x "$bin" ]] || { echo "no daemon at $bin (cargo build --release)" >&2; exit 1; }

work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/inbox/city" "$out"
cp inbox/*.txt "$work/inbox/"
cat >"$work/inbox/city/channel.toml" <<'EOF'
title = "City Desk"
description = "Council, courts and the town hall"
language = "en"
EOF
cat >"$work/inbox/city/2024-03-05-council.md" <<'EOF'
---
title: City notes
date: 2024-03-05
authors: Ann Lee
section: Council
---

# Council agrees next year's budget after a long evening

The council agreed next year's budget on Monday after a debate that ran past ten o'clock, the clerk
said. Spending on roads rises by a tenth; the library keeps its Sunday hours.

## What changes for residents

Bin collections move to Thursdays from April. The swimming pool closes for repairs in May and opens
again in time for the summer holidays.

Councillors also voted to light the river path between the two bridges, a request that residents
first made three years ago.
EOF
"$bin" serve --inbox "$work/inbox" --state-dir "$work/state" --feeds-dir "$work/feeds" \
  --listen 127.0.0.1:0 >"$work/stdout" 2>"$work/daemon.log" &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/stdout" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's|^listening on \(http://[^/]*\)/$|\1|p' "$work/stdout")
[[ -n "$base" ]] || { cat "$work/daemon.log"; exit 1; }
for _ in $(seq 100); do
  curl -fsS "$base/metrics" | grep -Eq '^bulletind_items 7' && break
  sleep 0.1
done
page_of() { # the permalink path of the first item of a feed whose title has $2
  curl -fsS "$base$1" | python3 -c '
import json, sys, urllib.parse
feed = json.load(sys.stdin)
item = next(i for i in feed["items"] if sys.argv[1] in i["title"])
print(urllib.parse.urlsplit(item["url"]).path)' "$2"
}
chinese=$(page_of /feed.json "六学模式")
english=$(page_of /city/feed.json "budget")

shoot() { # shoot NAME PATH WIDTH HEIGHT [CHROMIUM_FLAG...]
  local name=$1 path=$2 width=$3 height=$4
  shift 4
  chromium "$@" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --proxy-server=http://127.0.0.1:9 \
    --host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1' \
    --user-data-dir="$work/chromium" --window-size="$width,$height" \
    --screenshot="$out/$name.png" "$base$path" >/dev/null 2>&1
  echo "$out/$name.png ($width×$height) ← $path"
}
for width in 1280 400; do
  height=$([[ $width == 1280 ]] && echo 900 || echo 860)
  shoot "index-$width" / "$width" "$height"
  shoot "item-zh-$width" "$chinese" "$width" "$height"
  shoot "item-en-$width" "$english" "$width" "$height"
done
# The dark scheme (prefers-color-scheme: dark), once.
shoot "item-zh-400-dark" "$chinese" 400 860 --force-dark-mode
