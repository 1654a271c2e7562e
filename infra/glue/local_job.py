"""Local entrypoint of the transform: the same `transform.run` as in Glue, on local folders.

tributary's `local` transform runner stages a window's raw pages from S3 into a folder, runs this
script, and uploads what it writes back to the curated prefix:

  python local_job.py --inputs '[{"source": "tickets", "pages_dir": "/tmp/x/pages/tickets",
                                  "primary_key": ["id"], "cursor_field": "updated_at"}]'
                      --existing /tmp/x/existing --output /tmp/x/output
                      --mode merge --ingestion_date 2026-01-01

`--existing` holds the curated dataset as it was (one folder per table), read in merge mode.
Exits non-zero with the error on stderr when anything fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from transform import WindowInput, local_session, run, write_tables  # noqa: E402


def page_files(folder: str) -> list[str]:
    if not os.path.isdir(folder):
        return []
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".jsonl.gz")]


def existing_tables(spark, folder: str) -> dict:
    if not folder or not os.path.isdir(folder):
        return {}
    return {
        name: spark.read.parquet(os.path.join(folder, name))
        for name in sorted(os.listdir(folder))
        if os.path.isdir(os.path.join(folder, name))
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", required=True)
    parser.add_argument("--existing", default="")
    parser.add_argument("--output", required=True)
    parser.add_argument("--mode", choices=["overwrite", "merge"], required=True)
    parser.add_argument("--ingestion_date", required=True)
    args = parser.parse_args(argv)
    windows = [
        WindowInput(
            source=item["source"],
            page_paths=page_files(item["pages_dir"]),
            primary_key=list(item.get("primary_key") or []),
            cursor_field=item.get("cursor_field"),
        )
        for item in json.loads(args.inputs)
    ]
    spark = local_session()
    try:
        spark.sparkContext.setLogLevel("ERROR")
        tables = run(spark, windows, existing_tables(spark, args.existing), args.mode, args.ingestion_date)
        write_tables(tables, args.output)
        print(json.dumps({"tables": sorted(tables)}))
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
