"""Tests of the transform's PySpark functions on small fixtures, with exact expected rows.

Run: .tools/venv/bin/python -m unittest discover -s infra/glue -p 'test_*.py'
(test/integration/glue-script.test.ts runs this as part of `npm test`). One Spark session for all.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import unittest

from transform import WindowInput, flatten, local_session, run, write_tables

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


class TransformTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.spark = local_session("tributary-transform-test")
        cls.spark.sparkContext.setLogLevel("ERROR")
        cls.folder = tempfile.mkdtemp(prefix="tributary-transform-")

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()
        shutil.rmtree(cls.folder, ignore_errors=True)

    def pages(self, name, *pages):
        """Writes pages as gzip JSON Lines, as the raw zone holds them, and returns their paths."""
        paths = []
        for number, records in enumerate(pages, start=1):
            path = os.path.join(self.folder, name, f"page-{number:06d}.jsonl.gz")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with gzip.open(path, "wt") as page:
                page.writelines(json.dumps(record) + "\n" for record in records)
            paths.append(path)
        return paths

    def window(self, name, records):
        return WindowInput(
            source="tickets",
            page_paths=self.pages(name, records[:2], records[2:]),
            primary_key=["id"],
            cursor_field="updated_at",
        )

    def test_flattens_objects_to_prefixed_columns_and_arrays_of_objects_to_child_tables(self):
        records = self.spark.read.json(self.pages("flatten", WINDOW_1))
        tables = flatten(records, "tickets", ["id"])
        self.assertEqual(sorted(tables), ["tickets", "tickets_comments", "tickets_comments_reactions"])
        self.assertEqual(
            sorted(tables["tickets"].columns),
            ["id", "name", "owner_login", "owner_team_name", "tags", "updated_at"],
        )
        self.assertEqual(
            rows(tables["tickets"], ["id", "name", "owner_login", "owner_team_name", "tags"]),
            [
                (1, "one", "ann", "core", ["red"]),
                (2, "two", "dee", "ops", []),
                (3, "three", "eve", "core", ["blue", "red"]),
            ],
        )
        self.assertEqual(
            sorted(tables["tickets_comments"].columns),
            ["author_login", "body", "comments_index", "tickets_id"],
        )
        self.assertEqual(
            rows(tables["tickets_comments"], ["tickets_id", "comments_index", "body", "author_login"]),
            [(1, 0, "first", "bob"), (1, 1, "second", "cid"), (3, 0, "third", "ann")],
        )
        self.assertEqual(
            rows(
                tables["tickets_comments_reactions"],
                ["tickets_id", "comments_index", "reactions_index", "emoji"],
            ),
            [(1, 0, 0, "+1")],
        )

    def test_an_array_of_objects_without_a_primary_key_is_refused(self):
        records = self.spark.read.json(self.pages("no-key", WINDOW_1))
        with self.assertRaisesRegex(ValueError, "declare records.primaryKey"):
            flatten(records, "tickets", [])

    def test_overwrite_replaces_the_dataset_with_the_window(self):
        first = run(self.spark, [self.window("o1", WINDOW_1)], {}, "overwrite", "2024-01-01")
        second = run(self.spark, [self.window("o2", WINDOW_2)], first, "overwrite", "2024-01-02")
        self.assertEqual(
            rows(second["tickets"], ["id", "name", "ingestion_date"]),
            [(1, "one v2", "2024-01-02"), (3, "three stale", "2024-01-02"), (4, "four", "2024-01-02")],
        )
        self.assertEqual(
            rows(second["tickets_comments"], ["tickets_id", "body"]), [(1, "edited"), (3, "stale")]
        )
        # Window 2 has no reactions at all: after a truncate-and-reload, that table is gone.
        self.assertNotIn("tickets_comments_reactions", second)

    def test_merge_upserts_by_key_and_the_newest_cursor_wins_through_parquet(self):
        target = os.path.join(self.folder, "curated")
        write_tables(run(self.spark, [self.window("m1", WINDOW_1)], {}, "merge", "2024-01-01"), target)
        existing = {name: self.spark.read.parquet(os.path.join(target, name)) for name in os.listdir(target)}
        self.assertTrue(os.path.isdir(os.path.join(target, "tickets", "ingestion_date=2024-01-01")))

        merged = run(self.spark, [self.window("m2", WINDOW_2)], existing, "merge", "2024-01-02")
        self.assertEqual(
            rows(merged["tickets"], ["id", "name", "updated_at", "ingestion_date"]),
            [
                (1, "one v2", "2024-01-02T00:00:00Z", "2024-01-02"),
                (2, "two", "2024-01-01T00:02:00Z", "2024-01-01"),
                (3, "three", "2024-01-01T00:03:00Z", "2024-01-01"),
                (4, "four", "2024-01-02T00:04:00Z", "2024-01-02"),
            ],
        )
        self.assertEqual(
            rows(merged["tickets_comments"], ["tickets_id", "comments_index", "body", "ingestion_date"]),
            [(1, 0, "edited", "2024-01-02"), (3, 0, "third", "2024-01-01")],
        )
        # Record 1 won with no reactions: its old reaction row is gone.
        self.assertEqual(merged["tickets_comments_reactions"].count(), 0)

    def test_merge_needs_a_primary_key(self):
        window = WindowInput(source="tickets", page_paths=self.pages("m-no-key", WINDOW_2[2:]))
        existing = run(self.spark, [window], {}, "overwrite", "2024-01-01")
        with self.assertRaisesRegex(ValueError, "merge mode needs records.primaryKey"):
            run(self.spark, [window], existing, "merge", "2024-01-02")


if __name__ == "__main__":
    unittest.main()
