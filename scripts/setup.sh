#!/usr/bin/env bash
# Brings everything tributary needs onto this machine, building from source (never a prebuilt binary):
#   - node_modules (npm install, versions pinned by package-lock.json) when missing or older than the lock
#   - the Temporal CLI (dev server), reused from TEMPORAL_CLI_PATH / PATH / .tools/bin, else built with Go
#   - moto (the AWS stand-in) in .tools/venv, pinned below
#   - pyspark in the same venv and the Apache Iceberg jars in .tools/jars (scripts/setup-lake-jars.sh)
# Idempotent and fast when everything is present. Called by `npm test` and `npm run demo`.
set -euo pipefail

TEMPORAL_CLI_MODULE='github.com/temporalio/cli/cmd/temporal'
TEMPORAL_CLI_VERSION='v1.5.1'
MOTO_VERSION='5.2.5'
MOTO_SPEC="moto[server]==${MOTO_VERSION}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"
MOTO_STAMP="$VENV/.tributary-moto-spec"

mkdir -p "$TOOLS"

# One setup at a time (npm test and npm run demo may start together): no double build.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TOOLS/setup.lock"
  flock 9
fi

die() {
  echo "setup: $*" >&2
  exit 1
}

now() { date +%s; }

# --- node_modules --------------------------------------------------------------------------------
cd "$ROOT"
if [[ -f package-lock.json ]]; then
  if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
    started=$(now)
    # Not `npm ci`: npm 11 writes lock files without other platforms' optional binaries (biome, swc)
    # and then refuses them in `npm ci`. `npm install` keeps the locked versions all the same.
    npm install --no-audit --no-fund >&2 || die "npm install failed; see the output above"
    echo "node_modules: installed in $(($(now) - started))s"
  fi
elif [[ -f package.json && ! -d node_modules ]]; then
  started=$(now)
  npm install --no-audit --no-fund >&2 || die "npm install failed; see the output above"
  echo "node_modules: installed in $(($(now) - started))s"
fi

# --- Temporal CLI --------------------------------------------------------------------------------
works() { [[ -x "$1" ]] && "$1" --version >/dev/null 2>&1; }

temporal_bin=''
temporal_how=''
if [[ -n "${TEMPORAL_CLI_PATH:-}" ]]; then
  [[ -x "$TEMPORAL_CLI_PATH" ]] ||
    die "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file; fix or unset it"
  temporal_bin="$(cd "$(dirname "$TEMPORAL_CLI_PATH")" && pwd)/$(basename "$TEMPORAL_CLI_PATH")"
  temporal_how='reused'
elif on_path="$(command -v temporal 2>/dev/null)" && works "$on_path"; then
  temporal_bin="$on_path"
  temporal_how='reused'
elif works "$TOOLS/bin/temporal"; then
  temporal_bin="$TOOLS/bin/temporal"
  temporal_how='reused'
else
  command -v go >/dev/null 2>&1 ||
    die "Go is needed to build the Temporal CLI ${TEMPORAL_CLI_VERSION} from source: install Go (https://go.dev/doc/install, any recent version) and re-run 'npm run setup', or set TEMPORAL_CLI_PATH to an existing 'temporal' binary"
  echo "temporal: building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} with $(go version | cut -d' ' -f3) (takes a few minutes the first time)..." >&2
  started=$(now)
  GOBIN="$TOOLS/bin" go install "${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}" ||
    die "building the Temporal CLI failed; see the Go output above"
  works "$TOOLS/bin/temporal" || die "the built $TOOLS/bin/temporal does not run"
  temporal_bin="$TOOLS/bin/temporal"
  temporal_how="built in $(($(now) - started))s"
fi
if [[ "$(cat "$TOOLS/temporal-path" 2>/dev/null || true)" != "$temporal_bin" ]]; then
  printf '%s\n' "$temporal_bin" >"$TOOLS/temporal-path"
fi
echo "temporal: $temporal_bin ($temporal_how)"

# --- moto (AWS stand-in) -------------------------------------------------------------------------
moto_how=''
if [[ -x "$VENV/bin/moto_server" && "$(cat "$MOTO_STAMP" 2>/dev/null || true)" == "$MOTO_SPEC" ]]; then
  moto_how='present'
elif [[ -x "$VENV/bin/moto_server" ]] &&
  [[ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)" == "$MOTO_VERSION" ]]; then
  # Installed before the stamp existed: record it.
  printf '%s\n' "$MOTO_SPEC" >"$MOTO_STAMP"
  moto_how='present'
else
  command -v python3 >/dev/null 2>&1 ||
    die "Python 3 is needed for moto (the local AWS stand-in): install python3 with the venv module (e.g. 'apt-get install python3 python3-venv') and re-run 'npm run setup'"
  started=$(now)
  if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV" ||
      die "'python3 -m venv' failed: install the venv module (e.g. 'apt-get install python3-venv') and re-run 'npm run setup'"
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$MOTO_SPEC" >&2 ||
    die "installing $MOTO_SPEC into $VENV failed; see the pip output above"
  [[ -x "$VENV/bin/moto_server" ]] || die "$VENV/bin/moto_server is missing after installing $MOTO_SPEC"
  printf '%s\n' "$MOTO_SPEC" >"$MOTO_STAMP"
  moto_how="installed in $(($(now) - started))s"
fi
echo "moto: $MOTO_VERSION ($moto_how)"

# --- pyspark (the local transform runner and the Glue script's tests) ----------------------------
# 4.1, not the newest: Apache Iceberg's Spark runtime (the curated tables) exists up to Spark 4.1, and
# with 4.3 it fails to load (IncompatibleClassChangeError on SparkView), as does Delta Lake's MERGE.
PYSPARK_VERSION='4.1.4'
PYSPARK_SPEC="pyspark==${PYSPARK_VERSION}"
PYSPARK_STAMP="$VENV/.tributary-pyspark-spec"
pyspark_how=''
if [[ "$(cat "$PYSPARK_STAMP" 2>/dev/null || true)" == "$PYSPARK_SPEC" ]] &&
  "$VENV/bin/python" -c 'import pyspark' >/dev/null 2>&1; then
  pyspark_how='present'
else
  started=$(now)
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PYSPARK_SPEC" >&2 ||
    die "installing $PYSPARK_SPEC into $VENV failed; see the pip output above"
  printf '%s\n' "$PYSPARK_SPEC" >"$PYSPARK_STAMP"
  pyspark_how="installed in $(($(now) - started))s"
fi
command -v java >/dev/null 2>&1 ||
  echo "pyspark: no 'java' on PATH; the local transform runner needs Java 17 (e.g. 'apt-get install openjdk-17-jre-headless')" >&2
echo "pyspark: $PYSPARK_VERSION ($pyspark_how)"

# --- Apache Iceberg jars (the curated zone's tables) ---------------------------------------------
bash "$ROOT/scripts/setup-lake-jars.sh"

# --- Chromium (the browser test of the Temporal UI) -----------------------------------------------
bash "$ROOT/scripts/setup-browser.sh"
