#!/usr/bin/env bash
# The Apache Iceberg jars the transform's Spark session loads (the curated zone's table format, with
# the Glue Data Catalog as its catalog): downloaded once from Maven Central into .tools/jars, checked
# against the sha256 pinned here, and reused after. Nothing downloads them at run time.
# Called by scripts/setup.sh; the runtime's Spark line (4.1) must match the pyspark pinned there.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JARS="$ROOT/.tools/jars"
MAVEN='https://repo1.maven.org/maven2'
ICEBERG_VERSION='1.12.0'

# path under the Maven repository, sha256
WANTED=(
  "org/apache/iceberg/iceberg-spark-runtime-4.1_2.13/${ICEBERG_VERSION}/iceberg-spark-runtime-4.1_2.13-${ICEBERG_VERSION}.jar 3123c3798af642dd537230923548e013ef41cc28b6626e5225808cf5670a0f82"
  "org/apache/iceberg/iceberg-aws-bundle/${ICEBERG_VERSION}/iceberg-aws-bundle-${ICEBERG_VERSION}.jar dd7e49ffa4ac9b215bed846581991259e3aec9bb2fa08d6cec029c46cd66d957"
)

mkdir -p "$JARS"
fetched=0
for entry in "${WANTED[@]}"; do
  read -r path sha <<<"$entry"
  file="$JARS/$(basename "$path")"
  if [[ -f "$file" ]] && echo "$sha  $file" | sha256sum --check --status; then
    continue
  fi
  echo "iceberg: downloading $(basename "$path")..." >&2
  curl --fail --silent --show-error --location --retry 3 --max-time 600 -o "$file.part" "$MAVEN/$path" || {
    rm -f "$file.part"
    echo "setup: downloading $MAVEN/$path failed; check the network and re-run 'npm run setup'" >&2
    exit 1
  }
  if ! echo "$sha  $file.part" | sha256sum --check --status; then
    rm -f "$file.part"
    echo "setup: $(basename "$path") does not have the pinned sha256 $sha; not using it" >&2
    exit 1
  fi
  mv "$file.part" "$file"
  fetched=$((fetched + 1))
done
# Jars of other versions left by an earlier pin would be loaded beside these: remove them.
for file in "$JARS"/iceberg-*.jar; do
  keep=0
  for entry in "${WANTED[@]}"; do
    [[ "$(basename "${entry%% *}")" == "$(basename "$file")" ]] && keep=1
  done
  [[ $keep == 1 ]] || rm -f "$file"
done
if [[ $fetched == 0 ]]; then echo "iceberg: $ICEBERG_VERSION (present)"; else echo "iceberg: $ICEBERG_VERSION (downloaded)"; fi
