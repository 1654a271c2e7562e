"""Local entrypoint of the transform: the same `lake.load` as in Glue, with the pages in local files.

tributary's `local` transform runner stages a window's raw pages from S3 into a folder and runs
this script; the tables are written straight to the catalog and S3 (moto locally) by Iceberg:

  python local_job.py --request '{"inputs": [{"source": "tickets", "window": "w1",
                                   "pages": [{"path": "/tmp/x/000001-page-000001.jsonl.gz",
                                              "number": 1, "extracted_at": "2026-01-01T00:00:00Z"}],
                                   "primary_key": ["id"], "cursor_field": "updated_at"}],
                        "database": "curated_tickets", "location": "s3://bucket/curated/tickets",
                        "mode": "merge", "ingestion_date": "2026-01-01"}'

prints the load's report as one JSON line and exits 0, or exits non-zero with the error on stderr.
With --serve it keeps one Spark session and answers one request per stdin line with one JSON
line on stdout ({"report": ...} or {"error": ...}): a worker pays the JVM's start once (with
TRIBUTARY_SPARK_PREWARM=1 before its first request).
The AWS endpoint, region and credentials come from the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from dataclasses import asdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lake import CATALOG, load, local_session  # noqa: E402
from transform import PageInput, WindowInput  # noqa: E402


def windows_of(request: dict) -> list[WindowInput]:
    return [
        WindowInput(
            source=item["source"],
            window_key=item["window"],
            pages=[PageInput(page["path"], int(page["number"]), page["extracted_at"]) for page in item["pages"]],
            primary_key=list(item.get("primary_key") or []),
            cursor_field=item.get("cursor_field"),
        )
        for item in request["inputs"]
    ]


def handle(spark, request: dict) -> dict:
    report = load(
        spark,
        request["database"],
        request["location"],
        windows_of(request),
        request["mode"],
        request["ingestion_date"],
    )
    return asdict(report)


def serve() -> None:
    """One request per stdin line, one answer per stdout line, one Spark session for all."""
    out = sys.stdout
    sys.stdout = sys.stderr  # nothing but answers on the answer channel
    spark = None
    if os.environ.get("TRIBUTARY_SPARK_PREWARM") == "1":
        # Started with the worker: the JVM and Iceberg load before the first run needs them.
        spark = local_session(None)
        spark.sparkContext.setLogLevel("ERROR")
        try:
            # Loads the catalog's and the AWS SDK's classes and plans a first query.
            spark.sql(f"SHOW NAMESPACES IN {CATALOG}").collect()
        except Exception:  # noqa: BLE001 - the first request reports what is wrong
            traceback.print_exc(file=sys.stderr)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if spark is None:
                spark = local_session(request["location"])
                spark.sparkContext.setLogLevel("ERROR")
            answer = {"report": handle(spark, request)}
        except Exception as error:  # noqa: BLE001 - the runner reports it as the run's failure
            traceback.print_exc(file=sys.stderr)
            answer = {"error": f"{type(error).__name__}: {error}".splitlines()[0][:2000]}
        out.write(json.dumps(answer) + "\n")
        out.flush()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request", help="one run's request as JSON")
    parser.add_argument("--serve", action="store_true", help="answer requests from stdin, one per line")
    args = parser.parse_args(argv)
    if args.serve:
        serve()
        return
    if not args.request:
        parser.error("--request or --serve is required")
    request = json.loads(args.request)
    spark = local_session(request["location"])
    try:
        spark.sparkContext.setLogLevel("ERROR")
        print(json.dumps(handle(spark, request)))
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
