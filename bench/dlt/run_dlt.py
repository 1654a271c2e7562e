"""dlt's rest_api source over the bench API, JSON Lines to the filesystem destination.

Usage: run_dlt.py '{"baseUrl": ..., "style": "cursor"|"offset", "limit": 100, "out": DIR, "work": DIR}'
Prints one JSON line: {"seconds": <wall time of pipeline.run>}.
"""
import json
import os
import sys
import time

os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"

import dlt  # noqa: E402
from dlt.sources.helpers.rest_client.paginators import (  # noqa: E402
    JSONResponseCursorPaginator,
    OffsetPaginator,
)
from dlt.sources.rest_api import rest_api_source  # noqa: E402

args = json.loads(sys.argv[1])
limit = args["limit"]
if args["style"] == "cursor":
    endpoint = {
        "path": "cursor",
        "params": {"limit": limit},
        "data_selector": "data",
        "paginator": JSONResponseCursorPaginator(cursor_path="next_cursor", cursor_param="cursor"),
    }
else:
    endpoint = {
        "path": "offset",
        "data_selector": "items",
        "paginator": OffsetPaginator(
            limit=limit, offset_param="offset", limit_param="limit", total_path="total"
        ),
    }

source = rest_api_source(
    {"client": {"base_url": args["baseUrl"] + "/"}, "resources": [{"name": "items", "endpoint": endpoint}]}
)
pipeline = dlt.pipeline(
    pipeline_name="bench",
    pipelines_dir=args["work"],
    destination=dlt.destinations.filesystem(bucket_url=args["out"]),
    dataset_name="bench",
)
started = time.perf_counter()
pipeline.run(source, loader_file_format="jsonl")
print(json.dumps({"seconds": time.perf_counter() - started}))
