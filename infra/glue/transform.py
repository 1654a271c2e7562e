"""The curated transform of tributary windows, as plain PySpark functions.

Nothing here knows whether it runs inside AWS Glue or on a laptop: the entrypoints
(`glue_job.py`, `local_job.py`) find the pages and call `lake.load`, which writes the tables.

A window's records become tables:
  - nested objects become prefixed columns: {"nested": {"owner": {"login": "a"}}} -> nested_owner_login
  - arrays of objects become child tables named <parent>_<field>, keyed by the root record's
    primary key (<root>_<key>) and the element's position (<field>_index), as Glue's relationalize
    does; deeper arrays add one more index column per level
  - arrays of scalars stay array columns
Every row of every table carries its lineage (LINEAGE: the window key, the time its page was
extracted, the page number), read from the raw line's own `_tributary_*` fields (older pages: from
the page object), and an `ingestion_date` column (the window's logical date).
String columns whose every value is an ISO-8601 date-time become timestamps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StringType, StructType, TimestampType

INGESTION_DATE = "ingestion_date"
MODES = ("overwrite", "merge")
WINDOW_KEY = "_tributary_window_key"
EXTRACTED_AT = "_tributary_extracted_at"
PAGE = "_tributary_page"
LINEAGE = (WINDOW_KEY, EXTRACTED_AT, PAGE)

# ISO-8601 date-times as APIs send them: a date, a time to the minute or finer, an optional zone.
ISO_DATE_TIME = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$"


@dataclass(frozen=True)
class PageInput:
    """One raw page: its file (local path or s3:// URL) and the lineage of its lines that carry none."""

    path: str
    number: int
    extracted_at: str


@dataclass(frozen=True)
class WindowInput:
    """One source's window: its pages, and how its records are identified."""

    source: str
    window_key: str
    pages: list[PageInput]
    primary_key: list[str] = field(default_factory=list)
    cursor_field: str | None = None

    @property
    def table(self) -> str:
        """The root table's name: the source id as the Glue catalog takes it (a-z, 0-9, _)."""
        return sql_name(self.source)


def sql_name(name: str) -> str:
    """A catalog name (database or table) from an id: "Local-Flaky" -> "local_flaky"."""
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def page_number(key: str) -> int:
    """The page number of a raw page key: ".../page-000012.jsonl.gz" -> 12."""
    match = re.search(r"page-(\d+)\.jsonl\.gz$", key)
    if not match:
        raise ValueError(f"{key} is not a raw page key (page-NNNNNN.jsonl.gz)")
    return int(match.group(1))


def flat_name(path: str) -> str:
    """The column a dotted record path becomes: "nested.owner.login" -> "nested_owner_login"."""
    return path.replace(".", "_")


def path_column(path: str) -> Column:
    parts = path.split(".")
    column = F.col(f"`{parts[0]}`")
    for part in parts[1:]:
        column = column.getField(part)
    return column


def _file_key(path: Column | str) -> Column | str:
    """A file's path without its scheme and leading slashes, as both Spark and the caller spell it."""
    if isinstance(path, str):
        return re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*:", "", path).lstrip("/")
    return F.regexp_replace(F.regexp_replace(path, r"^[A-Za-z][A-Za-z0-9+.-]*:", ""), r"^/+", "")


def read_window(spark: SparkSession, window: WindowInput) -> DataFrame | None:
    """The records of the window's gzip JSON Lines pages with their lineage columns; None without pages.

    Lines carry their lineage as fields (`_tributary_*`, the names of the lineage columns); pages
    written before lines did have none, and take the lineage their PageInput gives (the page number
    from the key, the extraction time from the object's LastModified). Each lineage column appears
    once, after the record's own columns.
    """
    if not window.pages:
        return None
    records = spark.read.json([page.path for page in window.pages])
    pages = spark.createDataFrame(
        [(_file_key(page.path), window.window_key, page.extracted_at, page.number) for page in window.pages],
        "_file string, _file_window_key string, _file_extracted_at string, _file_page int",
    )
    kinds = {item.name: item.dataType for item in records.schema.fields}

    def line(name: str, kind: str) -> Column:
        return F.col(name).cast(kind) if name in kinds else F.lit(None).cast(kind)

    line_extracted_at = (
        F.col(EXTRACTED_AT)
        if isinstance(kinds.get(EXTRACTED_AT), TimestampType)
        else F.to_timestamp(line(EXTRACTED_AT, "string"))
    )
    return (
        records.withColumn("_file", _file_key(F.col("_metadata.file_path")))
        .join(F.broadcast(pages), on="_file", how="left")
        .select(
            *[F.col(f"`{name}`") for name in records.columns if name not in LINEAGE],
            F.coalesce(line(WINDOW_KEY, "string"), F.col("_file_window_key")).alias(WINDOW_KEY),
            F.coalesce(line_extracted_at, F.to_timestamp(F.col("_file_extracted_at"))).alias(EXTRACTED_AT),
            F.coalesce(line(PAGE, "int"), F.col("_file_page")).alias(PAGE),
        )
    )


def flatten(records: DataFrame, root: str, primary_key: list[str]) -> dict[str, DataFrame]:
    """The root table and its child tables, by name; lineage columns go to every table, last."""
    lineage = [name for name in LINEAGE if name in records.columns]
    fields = StructType([item for item in records.schema.fields if item.name not in lineage])
    child_keys = [(f"{root}_{flat_name(key)}", path_column(key)) for key in primary_key]
    return _flatten(records, root, fields, None, [], child_keys, lineage)


def _flatten(
    frame: DataFrame,
    table: str,
    struct: StructType,
    base: Column | None,
    own_keys: list[Column],
    child_keys: list[tuple[str, Column]],
    carried: list[str],
) -> dict[str, DataFrame]:
    columns: list[Column] = []
    arrays: list[tuple[str, Column, StructType]] = []
    _split(struct, base, "", columns, arrays)
    tables = {table: frame.select(*own_keys, *columns, *[F.col(name) for name in carried])}
    for name, column, element in arrays:
        if not child_keys:
            raise ValueError(
                f"{table}.{name} is an array of objects: declare records.primaryKey so that its child "
                "table can be keyed by the parent record"
            )
        index = f"{name}_index"
        exploded = frame.select(
            *[expression.alias(key) for key, expression in child_keys],
            *[F.col(name) for name in carried],
            F.posexplode(column).alias(index, "_item"),
        )
        keys = [key for key, _ in child_keys] + [index]
        tables.update(
            _flatten(
                exploded,
                f"{table}_{name}",
                element,
                F.col("_item"),
                [F.col(key) for key in keys],
                [(key, F.col(key)) for key in keys],
                carried,
            )
        )
    return tables


def _split(
    struct: StructType,
    base: Column | None,
    prefix: str,
    columns: list[Column],
    arrays: list[tuple[str, Column, StructType]],
) -> None:
    for item in struct.fields:
        column = F.col(f"`{item.name}`") if base is None else base.getField(item.name)
        name = f"{prefix}_{item.name}" if prefix else item.name
        kind = item.dataType
        if isinstance(kind, StructType):
            _split(kind, column, name, columns, arrays)
        elif isinstance(kind, ArrayType) and isinstance(kind.elementType, StructType):
            arrays.append((name, column, kind.elementType))
        else:
            columns.append(column.alias(name))


def iso_timestamp(column: Column) -> tuple[Column, Column]:
    """The column as a timestamp, and whether its value (null or not) converted exactly."""
    value = F.when(column.rlike(ISO_DATE_TIME), column.try_cast(TimestampType()))
    return value, column.isNull() | value.isNotNull()


def with_timestamps(table: DataFrame, keep_strings: set[str] = frozenset()) -> DataFrame:
    """String columns whose every value is an ISO-8601 date-time become timestamps (one pass).

    `keep_strings`: columns that stay strings anyway (the curated table already has them as strings).
    """
    candidates = [
        item.name
        for item in table.schema.fields
        if isinstance(item.dataType, StringType) and item.name not in keep_strings and item.name not in LINEAGE
    ]
    if not candidates:
        return table
    counts = table.agg(
        *[
            F.sum(F.when(F.col(f"`{name}`").isNotNull(), 1).otherwise(0)).alias(f"n{i}")
            for i, name in enumerate(candidates)
        ],
        *[
            F.sum(F.when(~iso_timestamp(F.col(f"`{name}`"))[1], 1).otherwise(0)).alias(f"b{i}")
            for i, name in enumerate(candidates)
        ],
    ).first()
    for i, name in enumerate(candidates):
        if (counts[f"n{i}"] or 0) > 0 and (counts[f"b{i}"] or 0) == 0:
            table = table.withColumn(name, iso_timestamp(F.col(f"`{name}`"))[0])
    return table


def window_tables(spark: SparkSession, window: WindowInput, ingestion_date: str) -> dict[str, DataFrame]:
    """A window's records as flat tables, each with its ingestion date and lineage (untyped yet)."""
    records = read_window(spark, window)
    if records is None or all(name in LINEAGE for name in records.columns):
        return {}  # no pages, or pages without records: no columns to type either
    tables = flatten(records, window.table, window.primary_key)
    return {
        name: table.withColumn(INGESTION_DATE, F.lit(ingestion_date).cast("date"))
        for name, table in tables.items()
    }


def belongs(table: str, root: str) -> bool:
    """Whether a table is the source's root table or one of its child tables."""
    return table == root or table.startswith(f"{root}_")
