"""AWS Glue entrypoint of the transform (deploy with transform.py as --extra-py-files).

Job arguments (set by tributary's `glue` transform runner on StartJobRun):
  --source, --window, --manifest_key   the window (the first input's, for one-source jobs)
  --inputs          JSON list of {"source", "window", "manifest_key", "primary_key", "cursor_field"}
  --bucket          the bucket of the raw zone
  --raw_prefix      the raw zone's key prefix
  --curated_target  s3://bucket/prefix of the curated dataset
  --mode            overwrite | merge
  --ingestion_date  the window's logical date (YYYY-MM-DD), the partition value
"""

from __future__ import annotations

import json
import sys

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from transform import WindowInput, run, write_tables

ARGUMENTS = ["JOB_NAME", "inputs", "bucket", "curated_target", "mode", "ingestion_date"]


def page_paths(s3, bucket: str, manifest_key: str) -> list[str]:
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=manifest_key)["Body"].read())
    return [f"s3://{bucket}/{item['key']}" for item in manifest["objects"]]


def existing_tables(spark, s3, target: str) -> dict:
    bucket, _, prefix = target.removeprefix("s3://").partition("/")
    prefix = prefix.rstrip("/") + "/"
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=prefix, Delimiter="/")
    names = [entry["Prefix"][len(prefix) :].rstrip("/") for entry in listing.get("CommonPrefixes", [])]
    # Materialised before the same paths are overwritten.
    return {name: spark.read.parquet(f"{target.rstrip('/')}/{name}").localCheckpoint(eager=True) for name in names}


def main() -> None:
    args = getResolvedOptions(sys.argv, ARGUMENTS)
    glue = GlueContext(SparkContext.getOrCreate())
    spark = glue.spark_session
    spark.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    job = Job(glue)
    job.init(args["JOB_NAME"], args)
    s3 = boto3.client("s3")
    windows = [
        WindowInput(
            source=item["source"],
            page_paths=page_paths(s3, args["bucket"], item["manifest_key"]),
            primary_key=list(item.get("primary_key") or []),
            cursor_field=item.get("cursor_field"),
        )
        for item in json.loads(args["inputs"])
    ]
    existing = existing_tables(spark, s3, args["curated_target"]) if args["mode"] == "merge" else {}
    if args["mode"] == "overwrite":
        # Truncate: child tables this window no longer has must not survive the reload.
        glue.purge_s3_path(args["curated_target"], {"retentionPeriod": 0})
    write_tables(run(spark, windows, existing, args["mode"], args["ingestion_date"]), args["curated_target"])
    job.commit()


if __name__ == "__main__":
    main()
