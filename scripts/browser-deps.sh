#!/usr/bin/env bash
# Browser tests drive Debian's Chromium; never a browser download.
set -u
# Chinese fonts, so that screenshots show characters rather than empty boxes.
if command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium and CJK fonts for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
        || echo "Could not install chromium: browser tests will be skipped."
else
    echo "chromium is not installed and cannot be installed here: browser tests will be skipped."
fi
