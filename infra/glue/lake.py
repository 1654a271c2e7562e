"""The curated zone as Apache Iceberg tables in the Glue Data Catalog: writes, merges, drift, compaction.

A dataset is a Glue database; each flattened table is an Iceberg table in it, stored under the
dataset's curated location (<location>/<table>). Spark reaches the catalog through Iceberg's
GlueCatalog (CATALOG), so `SELECT * FROM glue_catalog.<database>.<table>` works in this session,
and Athena reads the same tables.

  - overwrite: each table of the window replaces the table's contents in one commit
    (CREATE OR REPLACE TABLE ... AS SELECT); the source's tables the window no longer has are dropped.
  - merge: MERGE INTO the root table by primary key; a record wins when its cursor value is at
    least the table's (a tie goes to the newer window); a winning record's child rows are replaced.
  - schema drift between windows: a new column is added; a type Iceberg can widen (int -> bigint,
    float -> double, a wider decimal) is widened; a value that does not fit the table's column
    exactly is not cast: its row goes to the database's QUARANTINE table with the reason.
  - a table with more than COMPACT_AFTER data files is compacted (rewrite_data_files).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DataType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    NullType,
    NumericType,
    StringType,
    StructType,
    TimestampType,
)

from transform import (
    EXTRACTED_AT,
    LINEAGE,
    MODES,
    PAGE,
    WINDOW_KEY,
    WindowInput,
    belongs,
    flat_name,
    iso_timestamp,
    window_tables,
    with_timestamps,
)

CATALOG = "glue_catalog"
QUARANTINE = "_tributary_quarantine"
COMPACT_AFTER = 4
TABLE_PROPERTIES = {
    "format-version": "2",
    # One window is small: one file per table write, compaction folds merges' files together.
    "write.target-file-size-bytes": str(128 * 1024 * 1024),
    "write.distribution-mode": "none",
}
JARS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".tools", "jars")


def catalog_conf(warehouse: str | None, endpoint: str | None = None, region: str | None = None) -> dict[str, str]:
    """Spark settings of the Iceberg catalog backed by the Glue Data Catalog (AWS, or moto at `endpoint`)."""
    prefix = f"spark.sql.catalog.{CATALOG}"
    conf = {
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        # Tables stay cached in the session (30 s) and our own commits refresh them; one writer per
        # dataset at a time (the job's concurrent-run limit of 1) keeps that cache true.
        "spark.sql.session.timeZone": "UTC",
    }
    if warehouse:
        # Only for databases without a location: Lake creates each with its dataset's location.
        conf[f"{prefix}.warehouse"] = warehouse
    if endpoint:
        conf[f"{prefix}.glue.endpoint"] = endpoint
        conf[f"{prefix}.s3.endpoint"] = endpoint
        conf[f"{prefix}.s3.path-style-access"] = "true"
    if region:
        conf[f"{prefix}.client.region"] = region
    return conf


def local_session(warehouse: str | None, app: str = "tributary-transform") -> SparkSession:
    """A small single-core session with the Iceberg jars that scripts/setup.sh put in .tools/jars.

    The AWS endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL,
    AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), as for any AWS client.
    """
    names = os.listdir(JARS_DIR) if os.path.isdir(JARS_DIR) else []
    jars = sorted(os.path.join(JARS_DIR, name) for name in names if name.endswith(".jar"))
    if not any("iceberg-spark-runtime" in jar for jar in jars):
        raise RuntimeError(f"the Iceberg jars are missing from {os.path.abspath(JARS_DIR)}: run 'npm run setup'")
    builder = (
        SparkSession.builder.master("local[1]")
        .appName(app)
        .config("spark.jars", ",".join(jars))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.driver.memory", "768m")
    )
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    for key, value in catalog_conf(warehouse, os.environ.get("AWS_ENDPOINT_URL"), region).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def table_name(database: str, table: str) -> str:
    return f"{CATALOG}.`{database}`.`{table}`"


@dataclass
class LoadReport:
    """What a load did, per table: rows and data files after it, rows quarantined by it."""

    database: str
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    quarantined: int = 0


class Lake:
    """One dataset's database in the catalog, and the writes into its tables."""

    def __init__(self, spark: SparkSession, database: str, location: str):
        self.spark = spark
        self.database = database
        self.location = location.rstrip("/")
        self._views = 0
        self._tables: set[str] | None = None
        self._schemas: dict[str, StructType] = {}

    def ensure_database(self) -> None:
        self.spark.sql(
            f"CREATE NAMESPACE IF NOT EXISTS {CATALOG}.`{self.database}` LOCATION '{self.location}'"
        )

    def tables(self) -> list[str]:
        """The database's tables (listed once, then kept up to date by this object's writes)."""
        if self._tables is None:
            listing = self.spark.sql(f"SHOW TABLES IN {CATALOG}.`{self.database}`").collect()
            self._tables = {row["tableName"] for row in listing}
        return sorted(self._tables)

    def schema(self, table: str) -> StructType | None:
        if table not in self.tables():
            return None
        if table not in self._schemas:
            self._schemas[table] = self.spark.table(table_name(self.database, table)).schema
        return self._schemas[table]

    def _changed(self, table: str, exists: bool = True) -> None:
        self.tables()
        assert self._tables is not None
        self._schemas.pop(table, None)
        if exists:
            self._tables.add(table)
        else:
            self._tables.discard(table)

    def _view(self, frame: DataFrame) -> str:
        self._views += 1
        name = f"tributary_source_{self._views}"
        frame.createOrReplaceTempView(name)
        return name

    def replace(self, table: str, frame: DataFrame) -> None:
        """The table's contents become the frame's, in one commit (created when missing)."""
        properties = ", ".join(f"'{key}'='{value}'" for key, value in TABLE_PROPERTIES.items())
        self.spark.sql(
            f"CREATE OR REPLACE TABLE {table_name(self.database, table)} USING iceberg "
            f"LOCATION '{self.location}/{table}' TBLPROPERTIES ({properties}) "
            f"AS SELECT * FROM {self._view(frame.coalesce(1))}"
        )
        self._changed(table)

    def truncate(self, table: str) -> None:
        self.spark.sql(f"DELETE FROM {table_name(self.database, table)}")

    def drop(self, table: str) -> None:
        self.spark.sql(f"DROP TABLE IF EXISTS {table_name(self.database, table)} PURGE")
        self._changed(table, exists=False)

    def fit(self, table: str, frame: DataFrame) -> tuple[DataFrame, DataFrame | None]:
        """The frame in the table's schema (evolved for new columns and widened types), and the rows
        whose values do not fit it, with the reason (None when every row fits or the table is new)."""
        schema = self.schema(table)
        if schema is None:
            return with_timestamps(frame), None
        existing = {item.name: item.dataType for item in schema.fields}
        frame = with_timestamps(frame, {name for name, kind in existing.items() if isinstance(kind, StringType)})
        for item in frame.schema.fields:
            if item.name not in existing:
                kind = StringType() if isinstance(item.dataType, NullType) else item.dataType
                self.spark.sql(
                    f"ALTER TABLE {table_name(self.database, table)} ADD COLUMN `{item.name}` {kind.simpleString()}"
                )
                existing[item.name] = kind
                self._changed(table)
            elif widens(existing[item.name], item.dataType):
                self.spark.sql(
                    f"ALTER TABLE {table_name(self.database, table)} ALTER COLUMN `{item.name}` "
                    f"TYPE {item.dataType.simpleString()}"
                )
                existing[item.name] = item.dataType
                self._changed(table)
        kinds = {item.name: item.dataType for item in frame.schema.fields}
        values: list[Column] = []
        reasons: list[Column] = []
        for name, target in existing.items():
            if name not in kinds:
                values.append(F.lit(None).cast(target).alias(name))
                continue
            value, fits = convert(F.col(f"`{name}`"), kinds[name], target)
            values.append(value.alias(name))
            if fits is not None:
                reasons.append(
                    F.when(
                        ~fits,
                        F.concat(
                            F.lit(f"{name}: "),
                            F.coalesce(F.col(f"`{name}`").try_cast(StringType()), F.lit("?")),
                            F.lit(f" ({kinds[name].simpleString()}) does not fit the table's {target.simpleString()} column"),
                        ),
                    )
                )
        if not reasons:
            return frame.select(*values), None
        checked = frame.withColumn("_reason", F.concat_ws("; ", *reasons))
        fitting = checked.filter(F.col("_reason") == "").select(*values)
        failing = checked.filter(F.col("_reason") != "").select(
            F.lit(table).alias("table_name"),
            F.col("_reason").alias("reason"),
            F.to_json(F.struct(*[F.col(f"`{name}`") for name in frame.columns if name not in LINEAGE])).alias("record"),
            *[F.col(name) for name in LINEAGE if name in frame.columns],
        )
        return fitting, failing

    def quarantine(self, table: str, window_key: str, rows: DataFrame | None) -> int:
        """Replaces the table's quarantined rows of this window with `rows` (a retried run adds none twice)."""
        name = table_name(self.database, QUARANTINE)
        exists = self.schema(QUARANTINE) is not None
        if exists:
            self.spark.sql(
                f"DELETE FROM {name} WHERE table_name = '{table}' AND {WINDOW_KEY} = '{window_key}'"
            )
        if rows is None:
            return 0
        rows = rows.localCheckpoint(eager=True)
        count = rows.count()
        if count == 0:
            return 0
        if exists:
            rows.coalesce(1).writeTo(name).append()
        else:
            self.replace(QUARANTINE, rows)
        return count

    def merge_root(self, table: str, winners: DataFrame, keys: list[str]) -> None:
        on = " AND ".join(f"t.`{key}` = s.`{key}`" for key in keys)
        self.spark.sql(
            f"MERGE INTO {table_name(self.database, table)} t USING {self._view(winners)} s ON {on} "
            "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        )

    def delete_children(self, table: str, winner_keys: DataFrame, keys: list[str]) -> None:
        on = " AND ".join(f"t.`{key}` = s.`{key}`" for key in keys)
        self.spark.sql(
            f"MERGE INTO {table_name(self.database, table)} t USING {self._view(winner_keys)} s ON {on} "
            "WHEN MATCHED THEN DELETE"
        )

    def append(self, table: str, frame: DataFrame) -> None:
        frame.coalesce(1).writeTo(table_name(self.database, table)).append()

    def stats(self, table: str) -> dict[str, int]:
        """Rows and data files of the table's current snapshot (from its metadata, no data read)."""
        summary = self.spark.sql(
            f"SELECT summary FROM {table_name(self.database, table)}.snapshots ORDER BY committed_at DESC LIMIT 1"
        ).first()
        values = summary["summary"] if summary else {}
        return {"rows": int(values.get("total-records", 0)), "files": int(values.get("total-data-files", 0))}

    def compact(self, table: str) -> None:
        """Folds the table's files into as few as the target size allows once it has too many."""
        if self.stats(table)["files"] > COMPACT_AFTER:
            self.spark.sql(
                f"CALL {CATALOG}.system.rewrite_data_files(table => '`{self.database}`.`{table}`', "
                "options => map('min-input-files', '2', 'rewrite-all', 'true'))"
            )


def widens(table_type: DataType, new_type: DataType) -> bool:
    """Whether Iceberg can widen the table's column type to the new one in place."""
    if isinstance(table_type, IntegerType) and isinstance(new_type, LongType):
        return True
    if isinstance(table_type, FloatType) and isinstance(new_type, DoubleType):
        return True
    return (
        isinstance(table_type, DecimalType)
        and isinstance(new_type, DecimalType)
        and table_type.scale == new_type.scale
        and new_type.precision > table_type.precision
    )


def convert(column: Column, kind: DataType, target: DataType) -> tuple[Column, Column | None]:
    """The column as the table's type, and whether each value converted exactly (None: always)."""
    if kind == target:
        return column, None
    if isinstance(kind, NullType):
        return F.lit(None).cast(target), None
    if isinstance(target, TimestampType) and isinstance(kind, StringType):
        return iso_timestamp(column)
    if isinstance(target, NumericType) and isinstance(kind, (NumericType, StringType)):
        # Exact only: 4.0 fits a bigint column and 4.5 does not; "4" (a column Spark read as strings
        # because another record had text there) fits, "high" does not.
        value = column.try_cast(target)
        return value, column.isNull() | (value.isNotNull() & (value.cast(kind) == column))
    # Anything else (a number into a string column, a string into a number column...) is no
    # conversion at all: never a silent cast.
    return F.lit(None).cast(target), column.isNull()


def newest_first(frame: DataFrame, keys: list[str], cursor: str | None) -> DataFrame:
    """One row per key: the newest cursor value, then the latest page, then the last line."""
    order = [F.col(PAGE).desc_nulls_last(), F.col("_line").desc()]
    if cursor is not None:
        order.insert(0, F.col(f"`{cursor}`").desc_nulls_last())
    ranked = frame.withColumn("_line", F.monotonically_increasing_id()).withColumn(
        "_rank", F.row_number().over(Window.partitionBy(*[F.col(f"`{key}`") for key in keys]).orderBy(*order))
    )
    return ranked.filter(F.col("_rank") == 1).drop("_rank", "_line")


def load(
    spark: SparkSession,
    database: str,
    location: str,
    windows: list[WindowInput],
    mode: str,
    ingestion_date: str,
) -> LoadReport:
    """Loads the windows into the dataset's tables in this mode; returns what the tables hold after."""
    if mode not in MODES:
        raise ValueError(f'mode "{mode}" is not one of {", ".join(MODES)}')
    lake = Lake(spark, database, location)
    lake.ensure_database()
    report = LoadReport(database)
    touched: set[str] = set()
    for window in windows:
        tables = window_tables(spark, window, ingestion_date)
        if not tables:
            if mode == "overwrite":
                # Truncate and reload with nothing: the tables stay, empty, with their columns.
                for name in [name for name in lake.tables() if belongs(name, window.table)]:
                    lake.truncate(name)
                    touched.add(name)
            continue
        if mode == "overwrite":
            touched |= _overwrite(lake, window, tables, report)
        else:
            touched |= _merge(lake, window, tables, report)
    for table in sorted(touched):
        lake.compact(table)
        report.tables[table] = lake.stats(table)
    return report


def _overwrite(lake: Lake, window: WindowInput, tables: dict[str, DataFrame], report: LoadReport) -> set[str]:
    for name, frame in tables.items():
        lake.replace(name, with_timestamps(frame))
    # Truncate and reload: the source's child tables this window no longer has do not survive.
    for stale in [name for name in lake.tables() if belongs(name, window.table) and name not in tables]:
        lake.drop(stale)
    return set(tables)


def _merge(lake: Lake, window: WindowInput, tables: dict[str, DataFrame], report: LoadReport) -> set[str]:
    root = window.table
    if not window.primary_key:
        raise ValueError(f"merge mode needs records.primaryKey on source {root}")
    keys = [flat_name(key) for key in window.primary_key]
    cursor = flat_name(window.cursor_field) if window.cursor_field else None
    fitted, failing = lake.fit(root, tables[root])
    report.quarantined += lake.quarantine(root, window.window_key, failing)
    candidates = newest_first(fitted, keys, cursor)
    if lake.schema(root) is None:
        lake.replace(root, candidates)
        winners = candidates
    else:
        # Decided before the MERGE changes the table: a record loses to a newer cursor value there.
        winners = candidates
        if cursor is not None:
            current = lake.spark.table(table_name(lake.database, root)).select(
                *[F.col(f"`{key}`") for key in keys], F.col(f"`{cursor}`").alias("_current")
            )
            winners = (
                candidates.join(current, on=keys, how="left")
                .filter(F.col("_current").isNull() | (F.col(f"`{cursor}`") >= F.col("_current")))
                .drop("_current")
            )
        winners = winners.localCheckpoint(eager=True)
        lake.merge_root(root, winners, keys)
    child_keys = [f"{root}_{key}" for key in keys]
    won = winners.select(
        *[F.col(f"`{key}`").alias(name) for key, name in zip(keys, child_keys)], F.col(PAGE)
    ).localCheckpoint(eager=True)
    children = sorted({name for name in tables if name != root} | {name for name in lake.tables() if name != root and belongs(name, root)})
    for name in children:
        if lake.schema(name) is not None:
            lake.delete_children(name, won.select(*child_keys).distinct(), child_keys)
        if name not in tables:
            continue
        rows = tables[name].join(won, on=[*child_keys, PAGE], how="left_semi")
        fitted_rows, failing_rows = lake.fit(name, rows)
        report.quarantined += lake.quarantine(name, window.window_key, failing_rows)
        if lake.schema(name) is None:
            lake.replace(name, fitted_rows)
        else:
            lake.append(name, fitted_rows)
    return {root, *children}


__all__ = ["CATALOG", "EXTRACTED_AT", "QUARANTINE", "Lake", "LoadReport", "catalog_conf", "load", "local_session", "table_name"]
