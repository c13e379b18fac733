"""Reads many shared tables through the official delta-sharing Python client in one process (its
imports cost more than a small read), rows in golden_values' canonical form.

    golden_reads.py REQUESTS_JSON_FILE

Each request: {"key", "profile", "table": "share.schema.table", "op": "load" | "changes",
"use_delta_format": bool | null, "starting_version": int (changes)}. Prints {"answers": {key:
{"count", "digest", "rows" (when few), "columns"} | {"error"}}}: the client's own words when it fails.
"""

import contextlib
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))

import clean_exit  # noqa: E402
import golden_values  # noqa: E402


def frame_answer(frame) -> dict:
    names = [str(name) for name in frame.columns]
    columns = [frame.iloc[:, index].tolist() for index in range(len(names))]
    return {**golden_values.summary_of_columns(names, columns), "columns": names}


def load(request: dict) -> dict:
    import delta_sharing

    url = f"{request['profile']}#{request['table']}"
    return frame_answer(delta_sharing.load_as_pandas(url, use_delta_format=request.get("use_delta_format")))


def changes(request: dict) -> dict:
    import delta_sharing
    import pandas

    url = f"{request['profile']}#{request['table']}"
    frame = delta_sharing.load_table_changes_as_pandas(
        url, starting_version=request["starting_version"], use_delta_format=request.get("use_delta_format")
    )
    if "_commit_timestamp" in frame.columns and str(frame["_commit_timestamp"].dtype).startswith("datetime"):
        # the delta-format path reads commit times as timestamps; delta-spark's truth has epoch ms
        times = pandas.to_datetime(frame["_commit_timestamp"], utc=True)
        frame["_commit_timestamp"] = (times - pandas.Timestamp(0, tz="UTC")) // pandas.Timedelta(milliseconds=1)
    return frame_answer(frame)


OPERATIONS = {"load": load, "changes": changes}


def main() -> int:
    with open(sys.argv[1]) as source:
        requests = json.load(source)
    answers = {}
    # the client prints progress to stdout, which carries the answer
    with contextlib.redirect_stdout(sys.stderr):
        for request in requests:
            started = time.monotonic()
            try:
                answers[request["key"]] = OPERATIONS[request["op"]](request)
                answers[request["key"]]["seconds"] = round(time.monotonic() - started, 2)
            except Exception as error:  # the test wants the client's own words
                text = f"{type(error).__name__}: {error}"
                answers[request["key"]] = {"error": text[:2000]}
    json.dump({"answers": answers}, sys.stdout, default=str, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    clean_exit.run(main)
