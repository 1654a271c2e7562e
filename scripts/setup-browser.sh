#!/usr/bin/env bash
# Chromium for the browser test of the Temporal UI (test/integration/temporal-ui-browser.test.ts), driven
# by playwright-core, which never downloads a browser of its own. Debian's `chromium` package, installed
# with apt when /usr/bin/chromium is missing (root or sudo needed once); skipped when it is present.
# Called by scripts/setup.sh.
set -euo pipefail

CHROMIUM='/usr/bin/chromium'

if [[ -x "$CHROMIUM" ]]; then
  echo "chromium: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM") (present)"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  {
    echo "setup: the browser test needs Chromium at $CHROMIUM: install your system's chromium package and re-run 'npm run setup'" >&2
    exit 1
  }

as_root=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "setup: installing chromium needs root: run 'sudo apt-get install chromium' and re-run 'npm run setup'" >&2
    exit 1
  }
  as_root=(sudo)
fi

started=$(date +%s)
echo "chromium: installing Debian's chromium package with apt-get (a minute or two the first time)..." >&2
"${as_root[@]}" apt-get update -qq >&2 || {
  echo "setup: 'apt-get update' failed; check the network and re-run 'npm run setup'" >&2
  exit 1
}
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >&2 || {
  echo "setup: 'apt-get install chromium' failed; see the apt output above" >&2
  exit 1
}
[[ -x "$CHROMIUM" ]] || {
  echo "setup: $CHROMIUM is missing after installing the chromium package" >&2
  exit 1
}
echo "chromium: $("$CHROMIUM" --version 2>/dev/null) (installed in $(($(date +%s) - started))s)"
