"""Canonical rows for the golden tables, from Spark rows and from the Python client's pandas frames
alike, so both compare as JSON (canonical.py's forms, plus what the golden tables hold beyond the
fixtures'): binary -> {"$binary": hex}; NaN -> null and infinities -> "Infinity"/"-Infinity"
(pandas cannot tell a NaN from a null in a float column, so neither side keeps the difference);
integral floats -> integers (pandas reads integer columns with nulls as floats); maps -> objects
(pandas hands maps over as lists of (key, value) tuples, golden_truth.py as lists of entries);
variants -> their JSON.
Imports neither pyspark nor pandas, so both venvs use it.
"""

import hashlib
import json
import math
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))

import canonical  # noqa: E402


MAP_ENTRY = {"__map_key__", "__map_value__"}
# above this many rows only the count and a digest travel (the corpus has tables of a million rows)
ROWS_KEPT = 10_000


def _plain(v):
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$binary": bytes(v).hex()}
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        # pandas reads an integer column with nulls as floats: integral floats compare as integers
        return int(v) if v.is_integer() and abs(v) < 2**63 else v
    if isinstance(v, int):
        return int(v)
    kind = type(v).__name__
    module = type(v).__module__
    if kind == "NaTType":
        return None
    if kind == "VariantVal":
        return {"$variant": v.toJson()}
    if module.startswith("numpy"):
        if getattr(getattr(v, "dtype", None), "kind", "") == "M":
            # datetime64[ns] lists as integers: microseconds list as datetimes
            v = v.astype("datetime64[us]")
        return _plain(v.tolist())
    if hasattr(v, "asDict"):  # a Spark Row nested where asDict(recursive=True) does not reach (map keys)
        return _plain(v.asDict(recursive=True))
    if isinstance(v, dict):
        # an empty map reaches pandas as an empty list, like an empty array
        return {str(_plain(key)): _plain(item) for key, item in v.items()} if v else []
    if isinstance(v, (list, tuple)):
        items = list(v)
        if items and all(isinstance(item, tuple) and len(item) == 2 for item in items):
            return {str(_plain(key)): _plain(item) for key, item in items}
        if items and all(isinstance(item, dict) and set(item) == MAP_ENTRY for item in items):
            return {str(_plain(item["__map_key__"])): _plain(item["__map_value__"]) for item in items}
        return [_plain(item) for item in items]
    return v


def _canonical(v):
    return canonical.value(_plain(v))


# canonical.sort_key's text, from one encoder rather than one per row
_sort_key = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode

# types whose canonical form is the value itself, and Decimal, whose form is its text: a column of
# only these converts without a call per value
_SELF = {int, str, bool, type(None)}


def _column(values: list) -> list:
    kinds = set(map(type, values))
    if kinds <= _SELF:
        return values
    if kinds <= {Decimal, type(None)}:
        return [None if value is None else str(value) for value in values]
    return [_canonical(value) for value in values]


def _summary(records: list[dict]) -> dict:
    keys = [_sort_key(record) for record in records]
    order = sorted(range(len(records)), key=keys.__getitem__)
    digest = hashlib.sha256()
    for index in order:
        digest.update(keys[index].encode())
        digest.update(b"\n")
    result = {"count": len(records), "digest": digest.hexdigest()}
    if len(records) <= ROWS_KEPT:
        result["rows"] = [records[index] for index in order]
    return result


def summary(records) -> dict:
    """Row count, SHA-256 of the sorted canonical rows, and the sorted rows themselves when few."""
    return _summary([{str(key): _canonical(value) for key, value in record.items()} for record in records])


def summary_of_columns(names: list[str], columns: list[list]) -> dict:
    """summary() of a table given column by column (a million-row frame converts in seconds so)."""
    converted = [_column(column) for column in columns]
    return _summary([dict(zip(names, values)) for values in zip(*converted)])
