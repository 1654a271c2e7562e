"""Tests of the transform against real Iceberg tables in a Glue Data Catalog (moto), one Spark session.

Run: AWS_ENDPOINT_URL=http://127.0.0.1:<moto port> .tools/venv/bin/python -m unittest discover -s infra/glue -p 'test_*.py'
(test/integration/glue-script.test.ts runs this against the test stack's moto as part of `npm test`).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import unittest
import uuid

import boto3
from pyspark.sql.types import LongType, StringType, TimestampType

from lake import QUARANTINE, load, local_session, table_name
from transform import EXTRACTED_AT, LINEAGE, PAGE, WINDOW_KEY, PageInput, WindowInput, flatten

ENDPOINT = os.environ["AWS_ENDPOINT_URL"]
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_REGION", "us-east-1")
BUCKET = f"lake-test-{uuid.uuid4().hex[:8]}"

WINDOW_1 = [
    {
        "id": 1,
        "updated_at": "2024-01-01T00:01:00Z",
        "name": "one",
        "owner": {"login": "ann", "team": {"name": "core"}},
        "tags": ["red"],
        "comments": [
            {"body": "first", "author": {"login": "bob"}, "reactions": [{"emoji": "+1"}]},
            {"body": "second", "author": {"login": "cid"}, "reactions": []},
        ],
    },
    {
        "id": 2,
        "updated_at": "2024-01-01T00:02:00Z",
        "name": "two",
        "owner": {"login": "dee", "team": {"name": "ops"}},
        "tags": [],
        "comments": [],
    },
    {
        "id": 3,
        "updated_at": "2024-01-01T00:03:00Z",
        "name": "three",
        "owner": {"login": "eve", "team": {"name": "core"}},
        "tags": ["blue", "red"],
        "comments": [{"body": "third", "author": {"login": "ann"}, "reactions": []}],
    },
]

WINDOW_2 = [
    # Updated since window 1: wins, and its comments replace the old ones.
    {
        "id": 1,
        "updated_at": "2024-01-02T00:00:00Z",
        "name": "one v2",
        "owner": {"login": "ann", "team": {"name": "core"}},
        "tags": [],
        "comments": [{"body": "edited", "author": {"login": "bob"}, "reactions": []}],
    },
    # Older than what the dataset holds (a late, stale read): loses, its comments are ignored.
    {
        "id": 3,
        "updated_at": "2023-12-31T00:00:00Z",
        "name": "three stale",
        "owner": {"login": "eve", "team": {"name": "core"}},
        "tags": [],
        "comments": [{"body": "stale", "author": {"login": "zed"}, "reactions": []}],
    },
    # New record.
    {
        "id": 4,
        "updated_at": "2024-01-02T00:04:00Z",
        "name": "four",
        "owner": {"login": "fay", "team": {"name": "ops"}},
        "tags": ["cyan"],
        "comments": [],
    },
]



def rows(frame, order):
    """A table's rows as sorted tuples of plain values, columns in the given order."""
    return sorted(tuple(row[column] for column in order) for row in frame.select(*order).collect())


class LakeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        aws = {"endpoint_url": ENDPOINT, "region_name": "us-east-1"}
        boto3.client("s3", **aws).create_bucket(Bucket=BUCKET)
        cls.glue = boto3.client("glue", **aws)
        cls.spark = local_session(f"s3://{BUCKET}/curated", "tributary-lake-test")
        cls.spark.sparkContext.setLogLevel("ERROR")
        cls.folder = tempfile.mkdtemp(prefix="tributary-lake-")

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def window(self, key, records, source="tickets", per_page=2):
        """The records as gzip JSON Lines pages, as the raw zone holds them, of window `key`."""
        pages = []
        for number, start in enumerate(range(0, len(records), per_page), start=1):
            path = os.path.join(self.folder, source, key, f"page-{number:06d}.jsonl.gz")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with gzip.open(path, "wt") as page:
                page.writelines(json.dumps(record) + "\n" for record in records[start : start + per_page])
            pages.append(PageInput(path, number, f"2024-01-0{number}T10:00:00Z"))
        return WindowInput(source, key, pages, ["id"], "updated_at")

    def table(self, database, name):
        return self.spark.table(table_name(database, name))

    def catalog_tables(self, database):
        return sorted(table["Name"] for table in self.glue.get_tables(DatabaseName=database)["TableList"])

    def test_flattens_objects_to_prefixed_columns_and_arrays_of_objects_to_child_tables(self):
        window = self.window("flatten", WINDOW_1, per_page=10)
        tables = flatten(self.spark.read.json([page.path for page in window.pages]), "tickets", ["id"])
        self.assertEqual(sorted(tables), ["tickets", "tickets_comments", "tickets_comments_reactions"])
        self.assertEqual(
            sorted(tables["tickets"].columns),
            ["id", "name", "owner_login", "owner_team_name", "tags", "updated_at"],
        )
        self.assertEqual(
            rows(tables["tickets_comments"], ["tickets_id", "comments_index", "body", "author_login"]),
            [(1, 0, "first", "bob"), (1, 1, "second", "cid"), (3, 0, "third", "ann")],
        )
        self.assertEqual(
            rows(tables["tickets_comments_reactions"], ["tickets_id", "comments_index", "reactions_index", "emoji"]),
            [(1, 0, 0, "+1")],
        )

    def test_an_array_of_objects_without_a_primary_key_is_refused(self):
        window = self.window("no-key", WINDOW_1)
        with self.assertRaisesRegex(ValueError, "declare records.primaryKey"):
            flatten(self.spark.read.json([page.path for page in window.pages]), "tickets", [])

    def test_overwrite_then_merge_into_catalogued_iceberg_tables(self):
        database = "curated_om"
        location = f"s3://{BUCKET}/curated/om"
        first = load(self.spark, database, location, [self.window("w1", WINDOW_1)], "overwrite", "2024-01-01")
        self.assertEqual(self.catalog_tables(database), ["tickets", "tickets_comments", "tickets_comments_reactions"])
        self.assertEqual(
            self.glue.get_table(DatabaseName=database, Name="tickets")["Table"]["Parameters"]["table_type"], "ICEBERG"
        )
        self.assertEqual(first.tables["tickets"], {"rows": 3, "files": 1})
        schema = {item.name: item.dataType for item in self.table(database, "tickets").schema.fields}
        self.assertEqual(schema["updated_at"], TimestampType())
        self.assertEqual(schema["id"], LongType())
        self.assertEqual(schema[EXTRACTED_AT], TimestampType())

        merged = load(self.spark, database, location, [self.window("w2", WINDOW_2)], "merge", "2024-01-02")
        tickets = self.table(database, "tickets")
        self.assertEqual(
            rows(tickets, ["id", "name", WINDOW_KEY, PAGE]),
            [(1, "one v2", "w2", 1), (2, "two", "w1", 1), (3, "three", "w1", 2), (4, "four", "w2", 2)],
        )
        self.assertEqual(
            [row[EXTRACTED_AT].isoformat() for row in tickets.orderBy("id").collect()],
            ["2024-01-01T10:00:00", "2024-01-01T10:00:00", "2024-01-02T10:00:00", "2024-01-02T10:00:00"],
        )
        # Record 1 won: its comments are replaced; record 3 lost (stale): its comments stay.
        self.assertEqual(
            rows(self.table(database, "tickets_comments"), ["tickets_id", "comments_index", "body", WINDOW_KEY]),
            [(1, 0, "edited", "w2"), (3, 0, "third", "w1")],
        )
        self.assertEqual(self.table(database, "tickets_comments_reactions").count(), 0)
        self.assertEqual(merged.tables["tickets"]["rows"], 4)
        self.assertLessEqual(max(table["files"] for table in merged.tables.values()), 2)
        self.assertEqual(self.catalog_tables(database), ["tickets", "tickets_comments", "tickets_comments_reactions"])

        # A retried run of the same window (from the same raw pages) changes nothing.
        load(self.spark, database, location, [self.window("w2", WINDOW_2)], "merge", "2024-01-02")
        self.assertEqual(self.table(database, "tickets").count(), 4)
        self.assertEqual(self.table(database, "tickets_comments").count(), 2)

        # Overwrite replaces everything, and drops the child table the window does not have.
        load(self.spark, database, location, [self.window("w3", WINDOW_2)], "overwrite", "2024-01-03")
        self.assertEqual(rows(self.table(database, "tickets"), ["id", "name"]), [(1, "one v2"), (3, "three stale"), (4, "four")])
        self.assertEqual(self.catalog_tables(database), ["tickets", "tickets_comments"])

        # An overwrite with a window whose pages hold no records empties the tables and keeps them.
        path = os.path.join(self.folder, "tickets", "w4", "page-000001.jsonl.gz")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with gzip.open(path, "wt"):
            pass
        empty = WindowInput("tickets", "w4", [PageInput(path, 1, "2024-01-04T00:00:00Z")], ["id"], "updated_at")
        load(self.spark, database, location, [empty], "overwrite", "2024-01-04")
        self.assertEqual(self.catalog_tables(database), ["tickets", "tickets_comments"])
        self.assertEqual(self.table(database, "tickets").count(), 0)
        self.assertIn("owner_login", self.table(database, "tickets").columns)

    def test_lineage_comes_from_each_line_and_from_the_page_for_pages_written_before_lines_carried_it(self):
        database = "curated_lineage"
        location = f"s3://{BUCKET}/curated/lineage"
        folder = os.path.join(self.folder, "tickets", "lineage")
        os.makedirs(folder, exist_ok=True)
        # A page whose lines carry their lineage: it wins over what the page's file says (page 1).
        fresh = os.path.join(folder, "page-000001.jsonl.gz")
        with gzip.open(fresh, "wt") as page:
            for record in WINDOW_1[:2]:
                line = {**record, WINDOW_KEY: "lw", EXTRACTED_AT: "2024-03-01T09:30:00.250Z", PAGE: 5}
                page.write(json.dumps(line) + "\n")
        # A page written before lines carried lineage: the page's own lineage (number 2, its write time).
        older = os.path.join(folder, "page-000002.jsonl.gz")
        with gzip.open(older, "wt") as page:
            page.write(json.dumps(WINDOW_1[2]) + "\n")
        window = WindowInput(
            "tickets",
            "lw",
            [PageInput(fresh, 1, "2024-01-01T00:00:00Z"), PageInput(older, 2, "2024-01-02T00:00:00Z")],
            ["id"],
            "updated_at",
        )
        load(self.spark, database, location, [window], "merge", "2024-03-01")
        tickets = self.table(database, "tickets")
        self.assertEqual(
            [(row["id"], row[WINDOW_KEY], row[PAGE], row[EXTRACTED_AT].isoformat()) for row in tickets.orderBy("id").collect()],
            [(1, "lw", 5, "2024-03-01T09:30:00.250000"), (2, "lw", 5, "2024-03-01T09:30:00.250000"), (3, "lw", 2, "2024-01-02T00:00:00")],
        )
        # The child tables take the line's lineage too (a merge keeps a record's children by its page).
        self.assertEqual(
            rows(self.table(database, "tickets_comments"), ["tickets_id", "comments_index", PAGE]),
            [(1, 0, 5), (1, 1, 5), (3, 0, 2)],
        )
        # Each lineage column once: the lines' fields never become ordinary columns beside them.
        for name in ("tickets", "tickets_comments"):
            columns = self.table(database, name).columns
            self.assertEqual(sorted(column for column in columns if column.startswith("_tributary")), sorted(LINEAGE))

    def test_a_field_that_is_not_every_time_a_date_time_stays_a_string(self):
        records = [
            {"id": 1, "updated_at": "2024-01-01T00:00:00Z", "due": "2024-02-01"},
            {"id": 2, "updated_at": "2024-01-01T00:00:01.5+02:00", "due": "next week"},
        ]
        load(self.spark, "curated_types", f"s3://{BUCKET}/curated/types", [self.window("t1", records)], "overwrite", "2024-01-01")
        schema = {item.name: item.dataType for item in self.table("curated_types", "tickets").schema.fields}
        self.assertEqual((schema["updated_at"], schema["due"]), (TimestampType(), StringType()))

    def test_a_field_changing_type_between_windows_is_widened_or_quarantined_with_the_reason(self):
        database = "curated_drift"
        location = f"s3://{BUCKET}/curated/drift"
        before = [{"id": 1, "updated_at": "2024-01-01T00:00:00Z", "score": 3}]
        after = [
            {"id": 2, "updated_at": "2024-01-02T00:00:00Z", "score": "high", "label": "new"},
            {"id": 3, "updated_at": "2024-01-02T00:00:00Z", "score": 4},
        ]
        load(self.spark, database, location, [self.window("d1", before)], "merge", "2024-01-01")
        report = load(self.spark, database, location, [self.window("d2", after)], "merge", "2024-01-02")
        self.assertEqual(report.quarantined, 1)
        tickets = self.table(database, "tickets")
        self.assertEqual(dict((item.name, item.dataType) for item in tickets.schema.fields)["score"], LongType())
        self.assertEqual(rows(tickets, ["id", "score", "label"]), [(1, 3, None), (3, 4, None)])
        quarantined = self.table(database, QUARANTINE).collect()
        self.assertEqual(
            [(row["table_name"], row["reason"], json.loads(row["record"])["id"], row[WINDOW_KEY]) for row in quarantined],
            [("tickets", "score: high (string) does not fit the table's bigint column", 2, "d2")],
        )
        # Retried: the window's quarantined rows are replaced, not added again.
        load(self.spark, database, location, [self.window("d2", after)], "merge", "2024-01-02")
        self.assertEqual(self.table(database, QUARANTINE).count(), 1)


if __name__ == "__main__":
    unittest.main()
