"""Writes the sample share's tables (served by `npm start`) with deltalake into tables/.

    $(bash test/ground/python/install.sh)/bin/python examples/sample/generate.py

The data is deterministic; file names, table ids and commit times are deltalake's own and change
on every run. Tables:
  trips     bike trips partitioned by pickup_date, change data feed on; 3 commits: two appends
            and a fare correction (an update, so _change_data/ holds its pre- and post-images)
  stations  the stations the trips start and end at, one commit
"""

import datetime as dt
import os
import shutil
import sys

import pyarrow as pa
from deltalake import DeltaTable, write_deltalake

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = os.path.join(HERE, "tables")

STATIONS = [
    ("S01", "Harbour Gate", 52.3731, 4.8922, 24),
    ("S02", "Museum Square", 52.3584, 4.8811, 30),
    ("S03", "Central Station", 52.3791, 4.9003, 40),
    ("S04", "Park East", 52.3600, 4.9260, 18),
    ("S05", "Canal Corner", 52.3667, 4.8945, 20),
    ("S06", "Market Hall", 52.3560, 4.8990, 16),
]


def trips(first_id: int, day: dt.date, count: int) -> list[dict]:
    rows = []
    for k in range(count):
        i = first_id + k
        start = STATIONS[i % len(STATIONS)][0]
        end = STATIONS[(i * 5 + 1) % len(STATIONS)][0]
        duration = 240 + (i * 97) % 1500
        rows.append(
            {
                "trip_id": i,
                "pickup_date": day,
                "started_at": dt.datetime.combine(day, dt.time(7, 0), dt.UTC) + dt.timedelta(minutes=37 * k),
                "start_station": start,
                "end_station": end,
                "duration_s": duration,
                "fare": round(1.5 + duration / 600, 2),
                "member": i % 3 != 0,
            }
        )
    return rows


TRIP_SCHEMA = pa.schema(
    [
        ("trip_id", pa.int64()),
        ("pickup_date", pa.date32()),
        ("started_at", pa.timestamp("us", tz="UTC")),
        ("start_station", pa.string()),
        ("end_station", pa.string()),
        ("duration_s", pa.int32()),
        ("fare", pa.float64()),
        ("member", pa.bool_()),
    ]
)

STATION_SCHEMA = pa.schema(
    [
        ("station_id", pa.string()),
        ("name", pa.string()),
        ("lat", pa.float64()),
        ("lon", pa.float64()),
        ("capacity", pa.int32()),
    ]
)


def main() -> None:
    shutil.rmtree(TABLES, ignore_errors=True)
    os.makedirs(TABLES)

    trips_path = os.path.join(TABLES, "trips")
    day = dt.date(2024, 5, 1)
    write_deltalake(
        trips_path,
        pa.Table.from_pylist(trips(1, day, 8) + trips(9, day + dt.timedelta(days=1), 8), schema=TRIP_SCHEMA),
        partition_by=["pickup_date"],
        name="trips",
        description="Bike trips, partitioned by pickup date",
        configuration={"delta.enableChangeDataFeed": "true"},
    )
    write_deltalake(
        trips_path,
        pa.Table.from_pylist(trips(17, day + dt.timedelta(days=2), 8), schema=TRIP_SCHEMA),
        mode="append",
    )
    DeltaTable(trips_path).update(updates={"fare": "fare + 0.5"}, predicate="start_station = 'S03'")

    stations = [dict(zip(STATION_SCHEMA.names, s, strict=True)) for s in STATIONS]
    write_deltalake(
        os.path.join(TABLES, "stations"),
        pa.Table.from_pylist(stations, schema=STATION_SCHEMA),
        name="stations",
        description="Bike stations",
    )

    for name in ("trips", "stations"):
        table = DeltaTable(os.path.join(TABLES, name))
        print(f"{name}: version {table.version()}, {table.to_pyarrow_table().num_rows} rows", file=sys.stderr)


if __name__ == "__main__":
    main()
    sys.stderr.flush()
    # Skip interpreter teardown: deltalake's and pyarrow's threads can abort it (delta-io/delta-rs#2184).
    os._exit(0)
