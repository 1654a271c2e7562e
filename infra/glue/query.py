"""Runs one SQL query over the curated tables (Spark SQL, the Iceberg catalog on the Glue Data Catalog).

  python infra/glue/query.py --location s3://bucket/curated/tickets --database curated_tickets \\
      --sql 'SELECT count(*) FROM glue_catalog.curated_tickets.tickets'

prints one JSON line: the database's tables, the query's columns, its row count and its first
--limit rows (values as strings). The AWS endpoint, region and credentials come from the environment, as for the
transform (AWS_ENDPOINT_URL=http://127.0.0.1:<moto port> for the local stack).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lake import Lake, local_session  # noqa: E402


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--location", required=True, help="s3:// location of the dataset (the warehouse)")
    parser.add_argument("--database", required=True)
    parser.add_argument("--sql", required=True)
    parser.add_argument("--limit", type=int, default=5)
    args = parser.parse_args(argv)
    spark = local_session(args.location, "tributary-query")
    try:
        spark.sparkContext.setLogLevel("ERROR")
        result = spark.sql(args.sql)
        rows = [[None if value is None else str(value) for value in row] for row in result.limit(args.limit).collect()]
        print(
            json.dumps(
                {
                    "tables": Lake(spark, args.database, args.location).tables(),
                    "columns": result.columns,
                    "count": result.count(),
                    "rows": rows,
                }
            )
        )
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
