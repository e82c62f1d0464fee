"""Loading the full region hierarchy: Sinergi's loader against a bare engine insert.

Run: ``.venv/bin/python bench/regions_load_bench.py [--database-url URL]``

Prints the time of ``load_hierarchy`` (parse the package tarball, upsert
91,599 regions through the ORM in one transaction) on a fresh database, the
time of a bare ``executemany`` of the same rows into an equivalent table on
the same engine (the floor for any loader), and their ratio. Then a second,
no-op reload (what an update run costs when nothing changed).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", default=tempfile.mkdtemp(prefix="sinergi-bench-"))
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    os.environ.setdefault("SINERGI_DATA_DIR", str(data_dir))
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from sinergi.web.regions.models import parent_code
    from sinergi.web.regions.services import fetch_package, load_hierarchy, read_package

    package = fetch_package(dest=REPO / "var" / "packages")
    call_command("migrate", verbosity=0)

    rows = list(read_package(package))
    bare_db = data_dir / "bare.sqlite3"
    started = time.perf_counter()
    connection = sqlite3.connect(bare_db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE region (code varchar(13) PRIMARY KEY, name varchar(120), level varchar(10),"
        " parent_id varchar(13) REFERENCES region(code), active bool, source varchar(80))"
    )
    connection.execute("CREATE INDEX region_parent ON region(parent_id)")
    connection.execute("CREATE INDEX region_level ON region(level)")
    with connection:
        connection.executemany(
            "INSERT INTO region VALUES (?, ?, ?, ?, 1, 'x')",
            ((code, name, str(level), parent_code(code)) for code, name, level in rows),
        )
    bare = time.perf_counter() - started
    connection.close()

    first = load_hierarchy(package)
    again = load_hierarchy(package)
    print(f"rows                         {first.total:>10,}")
    print(f"bare sqlite3 executemany     {bare:>10.2f} s   (rows already parsed)")
    print(
        f"sinergi load_hierarchy       {first.seconds:>10.2f} s   (parse tarball + validate + upsert)"
    )
    print(f"ratio loader / bare insert   {first.seconds / bare:>10.1f} x")
    print(
        f"no-op reload                 {again.seconds:>10.2f} s   ({again.created} created, {again.updated} updated)"
    )


if __name__ == "__main__":
    sys.exit(main())
