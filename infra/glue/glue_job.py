"""AWS Glue entrypoint of the transform (deploy with transform.py and lake.py as --extra-py-files).

The job runs with `--datalake-formats iceberg` (Glue 5 ships the Iceberg runtime); this script sets
the Iceberg catalog on the Glue Data Catalog itself (lake.catalog_conf), so the same `lake.load`
writes the same tables as the local runner.

Job arguments (set by tributary's `glue` transform runner on StartJobRun):
  --source, --window, --manifest_key   the window (the first input's, for one-source jobs)
  --inputs          JSON list of {"source", "window", "manifest_key", "primary_key", "cursor_field"}
  --bucket          the bucket of the raw zone
  --raw_prefix      the raw zone's key prefix
  --curated_target  s3://bucket/prefix of the curated dataset (its tables are <target>/<table>)
  --database        the dataset's database in the Glue Data Catalog
  --mode            overwrite | merge
  --ingestion_date  the window's logical date (YYYY-MM-DD)
"""

from __future__ import annotations

import json
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.conf import SparkConf
from pyspark.context import SparkContext

from lake import catalog_conf, load
from transform import PageInput, WindowInput, page_number

ARGUMENTS = ["JOB_NAME", "inputs", "bucket", "curated_target", "database", "mode", "ingestion_date"]


def pages(s3, bucket: str, manifest_key: str) -> list[PageInput]:
    """The manifest's pages with the lineage of lines that carry none (pages written before lines
    carried `_tributary_*` fields): the page number from the key, the extraction time from the
    object's LastModified (a page object is written once its page is fetched)."""
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=manifest_key)["Body"].read())
    folder = manifest_key.rsplit("/", 1)[0] + "/"
    written = {}
    for listing in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=folder):
        for item in listing.get("Contents", []):
            written[item["Key"]] = item["LastModified"].isoformat()
    return [
        PageInput(f"s3://{bucket}/{item['key']}", page_number(item["key"]), written[item["key"]])
        for item in manifest["objects"]
    ]


def main() -> None:
    args = getResolvedOptions(sys.argv, ARGUMENTS)
    conf = SparkConf()
    for key, value in catalog_conf(args["curated_target"]).items():
        conf.set(key, value)
    glue = GlueContext(SparkContext.getOrCreate(conf))
    spark = glue.spark_session
    job = Job(glue)
    job.init(args["JOB_NAME"], args)
    s3 = boto3.client("s3")
    windows = [
        WindowInput(
            source=item["source"],
            window_key=item["window"],
            pages=pages(s3, args["bucket"], item["manifest_key"]),
            primary_key=list(item.get("primary_key") or []),
            cursor_field=item.get("cursor_field"),
        )
        for item in json.loads(args["inputs"])
    ]
    report = load(spark, args["database"], args["curated_target"], windows, args["mode"], args["ingestion_date"])
    print(json.dumps({"database": report.database, "tables": report.tables, "quarantined": report.quarantined}))
    job.commit()


if __name__ == "__main__":
    main()
