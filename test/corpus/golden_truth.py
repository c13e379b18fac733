"""delta-spark's own read of every golden table, in one Spark session (spark_tables.py's): the
truth the corpus test compares the server's answers with.

    golden_truth.py CACHE_DIR JARS_DIR CORPUS_DIR ENTRIES_JSON

ENTRIES_JSON is a list of {"name", "path"} (path relative to CORPUS_DIR). For each entry the
result holds, under its name: the latest version, the protocol (DESCRIBE DETAIL), the rows of the
latest version as golden_values.summary gives them (count, digest, canonical rows when few), and
where the table records a change feed, the changes from the first version delta-spark reads them
from; or, for what delta-spark refuses, the first line of its error. Written once into CACHE_DIR/truth.json; later runs print it.
"""

import fcntl
import json
import os
import re
import shutil
import sys
import time

import golden_values  # first: it puts test/fixtures on the import path
from clean_exit import run
from spark_tables import session


def reason(error: BaseException) -> str:
    # py4j's first line only names the call ("An error occurred while calling o196.load."): the
    # Java exception follows it
    lines = [line.strip().removeprefix(": ") for line in str(error).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("An error occurred while calling")]
    return (lines[0] if lines else type(error).__name__)[:500]


def has_map(dtype) -> bool:
    from pyspark.sql import types

    if isinstance(dtype, types.MapType):
        return True
    if isinstance(dtype, types.ArrayType):
        return has_map(dtype.elementType)
    if isinstance(dtype, types.StructType):
        return any(has_map(field.dataType) for field in dtype.fields)
    return False


def maps_as_entries(column, dtype):
    """Maps as arrays of (__map_key__, __map_value__) structs, which golden_values turns back into
    maps: pyspark cannot collect a map whose keys are arrays (they make unhashable dict keys)."""
    from pyspark.sql import functions, types

    if not has_map(dtype):
        return column
    if isinstance(dtype, types.MapType):
        return functions.transform(
            functions.map_entries(column),
            lambda entry: functions.struct(
                maps_as_entries(entry.getField("key"), dtype.keyType).alias("__map_key__"),
                maps_as_entries(entry.getField("value"), dtype.valueType).alias("__map_value__"),
            ),
        )
    if isinstance(dtype, types.ArrayType):
        return functions.transform(column, lambda item: maps_as_entries(item, dtype.elementType))
    fields = [maps_as_entries(column.getField(f.name), f.dataType).alias(f.name) for f in dtype.fields]
    return functions.when(column.isNull(), functions.lit(None)).otherwise(functions.struct(*fields))


def collected(frame) -> dict:
    fields = frame.schema.fields
    columns = [maps_as_entries(frame[field.name], field.dataType).alias(field.name) for field in fields]
    return golden_values.summary(r.asDict(recursive=True) for r in frame.select(*columns).collect())


def commit_versions(location: str) -> list[int]:
    folder = os.path.join(location, "_delta_log")
    if not os.path.isdir(folder):
        return []
    found = set()
    for name in os.listdir(folder):
        match = re.match(r"^(\d{20})\.(json|checkpoint\..+)$", name)
        if match:
            found.add(int(match.group(1)))
    return sorted(found)


def logs_cdc(location: str) -> bool:
    folder = os.path.join(location, "_delta_log")
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        if name.endswith(".json") and name[:20].isdigit():
            with open(os.path.join(folder, name)) as commit:
                if any(line.startswith('{"cdc"') for line in commit):
                    return True
    return False


def changes(spark, location: str, first: int, latest: int) -> dict:
    """The change feed from the first version delta-spark reads it from (a feed enabled later
    starts later); the error of the last try when no start works."""
    last_error = "no version to start from"
    for start in range(first, latest + 1):
        try:
            frame = (
                spark.read.format("delta")
                .option("readChangeFeed", "true")
                .option("startingVersion", str(start))
                .load(location)
            )
            frame = frame.selectExpr("*", "unix_millis(_commit_timestamp) AS _commit_ms").drop("_commit_timestamp")
            frame = frame.withColumnRenamed("_commit_ms", "_commit_timestamp")
            return {"from": start, **collected(frame)}
        except Exception as error:  # a version without recorded changes: try the next one
            last_error = reason(error)
    return {"error": last_error}


def truth_of(spark, location: str) -> dict:
    try:
        frame = spark.read.format("delta").load(location)
        read = collected(frame)
    except Exception as error:  # delta-spark refuses the table: the test wants its reason
        return {"refused": reason(error)}
    result = {"columns": frame.columns, **read}
    try:
        detail = spark.sql(f"DESCRIBE DETAIL delta.`{location}`").collect()[0].asDict(recursive=True)
        history = spark.sql(f"DESCRIBE HISTORY delta.`{location}` LIMIT 1").collect()
    except Exception as error:  # rows but no description: kept apart, so the rows still count
        result["describeError"] = reason(error)
        return result
    properties = detail.get("properties") or {}
    result["version"] = history[0]["version"]
    result["minReaderVersion"] = detail["minReaderVersion"]
    result["tableFeatures"] = sorted(detail.get("tableFeatures") or [])
    if properties.get("delta.enableChangeDataFeed") == "true" or logs_cdc(location):
        versions = commit_versions(location)
        result["changes"] = changes(spark, location, versions[0] if versions else 0, result["version"])
    return result


def compute(corpus: str, entries: list[dict], jars_dir: str) -> dict:
    started = time.monotonic()
    spark = session(jars_dir)
    tables = {}
    for entry in entries:
        begun = time.monotonic()
        tables[entry["name"]] = truth_of(spark, os.path.join(corpus, entry["path"]))
        print(f"golden truth: {entry['name']} in {time.monotonic() - begun:.1f} s", file=sys.stderr)
    spark.stop()
    return {"tables": tables, "seconds": round(time.monotonic() - started, 1)}


def main() -> int:
    cache, jars_dir, corpus, entries = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
    truth = os.path.join(cache, "truth.json")
    if not os.path.exists(truth):
        os.makedirs(os.path.dirname(cache) or ".", exist_ok=True)
        # two test runs may start on a cold cache at once: one computes, the other waits for it
        with open(f"{cache}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not os.path.exists(truth):
                partial = f"{cache}.partial"
                shutil.rmtree(partial, ignore_errors=True)
                os.makedirs(partial)
                with open(os.path.join(partial, "truth.json"), "w") as out:
                    json.dump(compute(corpus, entries, jars_dir), out, ensure_ascii=False)
                shutil.rmtree(cache, ignore_errors=True)
                os.rename(partial, cache)
    with open(truth) as source:
        sys.stdout.write(source.read())
    return 0


if __name__ == "__main__":
    run(main)
