"""The curated transform of tributary windows, as plain PySpark functions.

Nothing here knows whether it runs inside AWS Glue or on a laptop: the entrypoints
(`glue_job.py`, `local_job.py`) find the pages and the existing dataset, call `run`, and write
the tables it returns.

A window's records become tables:
  - nested objects become prefixed columns: {"nested": {"owner": {"login": "a"}}} -> nested_owner_login
  - arrays of objects become child tables named <parent>_<field>, keyed by the root record's
    primary key (<root>_<key>) and the element's position (<field>_index), as Glue's relationalize
    does; deeper arrays add one more index column per level
  - arrays of scalars stay array columns
Every table gets an `ingestion_date` column (the window's logical date) and is partitioned by it.

Modes:
  - overwrite: the dataset becomes this window's tables (truncate and reload)
  - merge: upsert by primary key; of the records sharing a key, the one with the newest cursor
    value wins (on a tie, the newer window's); a winning record replaces its child rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, StructType

PARTITION = "ingestion_date"
MODES = ("overwrite", "merge")


@dataclass(frozen=True)
class WindowInput:
    """One source's window: where its pages are, and how its records are identified."""

    source: str
    page_paths: list[str]
    primary_key: list[str] = field(default_factory=list)
    cursor_field: str | None = None


def flat_name(path: str) -> str:
    """The column a dotted record path becomes: "nested.owner.login" -> "nested_owner_login"."""
    return path.replace(".", "_")


def path_column(path: str) -> Column:
    parts = path.split(".")
    column = F.col(f"`{parts[0]}`")
    for part in parts[1:]:
        column = column.getField(part)
    return column


def read_pages(spark: SparkSession, paths: list[str]) -> DataFrame | None:
    """The records of gzip JSON Lines pages (Spark reads `.gz` by its extension); None without pages."""
    if not paths:
        return None
    return spark.read.json(paths)


def flatten(records: DataFrame, root: str, primary_key: list[str]) -> dict[str, DataFrame]:
    """The root table and its child tables, by name."""
    child_keys = [(f"{root}_{flat_name(key)}", path_column(key)) for key in primary_key]
    return _flatten(records, root, records.schema, None, [], child_keys)


def _flatten(
    frame: DataFrame,
    table: str,
    struct: StructType,
    base: Column | None,
    own_keys: list[Column],
    child_keys: list[tuple[str, Column]],
) -> dict[str, DataFrame]:
    columns: list[Column] = []
    arrays: list[tuple[str, Column, StructType]] = []
    _split(struct, base, "", columns, arrays)
    tables = {table: frame.select(*own_keys, *columns)}
    for name, column, element in arrays:
        if not child_keys:
            raise ValueError(
                f"{table}.{name} is an array of objects: declare records.primaryKey so that its child "
                "table can be keyed by the parent record"
            )
        index = f"{name}_index"
        exploded = frame.select(
            *[expression.alias(key) for key, expression in child_keys],
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


def window_tables(spark: SparkSession, window: WindowInput, ingestion_date: str) -> dict[str, DataFrame]:
    """A window's records as flat tables, each with its ingestion date."""
    records = read_pages(spark, window.page_paths)
    if records is None:
        return {}
    tables = flatten(records, window.source, window.primary_key)
    return {name: table.withColumn(PARTITION, F.lit(ingestion_date)) for name, table in tables.items()}


def merge(
    existing: dict[str, DataFrame],
    new: dict[str, DataFrame],
    root: str,
    primary_key: list[str],
    cursor_field: str | None,
) -> dict[str, DataFrame]:
    """Upserts `new` into `existing` by primary key; the newest cursor value wins, then the newer window."""
    if not primary_key:
        raise ValueError(f"merge mode needs records.primaryKey on source {root}")
    if root not in existing or root not in new:
        return {**existing, **new}
    keys = [flat_name(key) for key in primary_key]
    combined = (
        existing[root]
        .withColumn("_new", F.lit(0))
        .unionByName(new[root].withColumn("_new", F.lit(1)), allowMissingColumns=True)
    )
    order = [F.col("_new").desc()]
    if cursor_field is not None:
        order.insert(0, F.col(f"`{flat_name(cursor_field)}`").desc_nulls_last())
    ranked = combined.withColumn(
        "_rank", F.row_number().over(Window.partitionBy(*keys).orderBy(*order))
    ).filter(F.col("_rank") == 1)
    merged = {root: ranked.drop("_rank", "_new")}
    child_key_names = [f"{root}_{key}" for key in keys]
    replaced = ranked.filter(F.col("_new") == 1).select(
        *[F.col(key).alias(name) for key, name in zip(keys, child_key_names)]
    )
    for name in sorted((set(existing) | set(new)) - {root}):
        parts: list[DataFrame] = []
        if name in existing:
            parts.append(existing[name].join(replaced, on=child_key_names, how="left_anti"))
        if name in new:
            parts.append(new[name].join(replaced, on=child_key_names, how="left_semi"))
        table = parts[0]
        for part in parts[1:]:
            table = table.unionByName(part, allowMissingColumns=True)
        merged[name] = table
    return merged


def run(
    spark: SparkSession,
    windows: list[WindowInput],
    existing: dict[str, DataFrame],
    mode: str,
    ingestion_date: str,
) -> dict[str, DataFrame]:
    """The dataset's tables after loading these windows in this mode."""
    if mode not in MODES:
        raise ValueError(f'mode "{mode}" is not one of {", ".join(MODES)}')
    result: dict[str, DataFrame] = {} if mode == "overwrite" else dict(existing)
    for window in windows:
        tables = window_tables(spark, window, ingestion_date)
        if mode == "overwrite":
            result.update(tables)
            continue
        own = {name: table for name, table in result.items() if _belongs(name, window.source)}
        others = {name: table for name, table in result.items() if name not in own}
        result = {
            **others,
            **merge(own, tables, window.source, window.primary_key, window.cursor_field),
        }
    return result


def _belongs(table: str, root: str) -> bool:
    return table == root or table.startswith(f"{root}_")


def write_tables(tables: dict[str, DataFrame], target: str) -> None:
    """Each table as Parquet under <target>/<table>/ingestion_date=<date>/."""
    for name, table in tables.items():
        table.write.mode("overwrite").partitionBy(PARTITION).parquet(f"{target.rstrip('/')}/{name}")


def local_session(app: str = "tributary-transform") -> SparkSession:
    """A small single-core session: the transform's data is one window, not a cluster's worth."""
    return (
        SparkSession.builder.master("local[1]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
        .config("spark.driver.memory", "512m")
        .getOrCreate()
    )
