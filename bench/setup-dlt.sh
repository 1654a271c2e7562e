#!/usr/bin/env bash
# Installs dlt (the benchmark's dlt contender) into the tools venv that scripts/setup.sh created.
# Idempotent; kept out of scripts/setup.sh so that tests never need it.
set -euo pipefail
DLT_SPEC='dlt==1.31.0'
VENV="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/venv"
[[ -x "$VENV/bin/python" ]] || { echo "bench: $VENV is missing: run 'npm run setup' first" >&2; exit 1; }
if [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("dlt"))' 2>/dev/null || true)" != "${DLT_SPEC#dlt==}" ]]; then
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$DLT_SPEC" >&2 ||
    { echo "bench: installing $DLT_SPEC into $VENV failed; see the pip output above" >&2; exit 1; }
fi
echo "dlt: ${DLT_SPEC#dlt==}" >&2
