#!/usr/bin/env bash
# Install the Chromium the browser end-to-end tests drive (Debian/Ubuntu, as root).
# playwright-core downloads no browser; the tests use /usr/bin/chromium
# (or $CHROMIUM_PATH).
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  echo "chromium present: ${CHROMIUM_PATH:-/usr/bin/chromium}"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "run as root (or: sudo $0), or set CHROMIUM_PATH to a Chromium binary" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq chromium
echo "installed: $(command -v chromium)"
