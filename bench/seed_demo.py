"""Demo seed benchmark: `manage.py seed_demo` on a fresh, migrated SQLite database.

It migrates a database in a temporary folder once, then for each run copies that empty
database back and times seed_demo (wall clock, time.perf_counter; and the process's CPU
time, which a machine busy with other work inflates less) and counts its SQL statements.
It prints figures; it asserts nothing.

    .venv/bin/python bench/seed_demo.py [--cases 300] [--runs 3]
"""

import argparse
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="jiefen-bench-seed-"))
    db = tmp / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["JIEFEN_VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_s = time.perf_counter() - started
        connection.close()
        empty = tmp / "empty.sqlite3"
        shutil.copy(db, empty)
        print(f"migrate: {migrate_s:.1f} s")

        figures, cpu_figures = [], []
        for run in range(1, args.runs + 1):
            connection.close()
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copy(empty, db)
            queries = 0

            def count(execute, sql, params, many, context):
                nonlocal queries
                queries += 1
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                started, cpu_started = time.perf_counter(), time.process_time()
                call_command("seed_demo", "--cases", str(args.cases), stdout=io.StringIO())
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu_started
            figures.append(seconds)
            cpu_figures.append(cpu)
            print(
                f"run {run}: seed_demo --cases {args.cases}: {seconds:.2f} s "
                f"(CPU {cpu:.2f} s), {queries} queries"
            )
        print(
            f"seed_demo --cases {args.cases} on a fresh SQLite database, {len(figures)} runs: "
            f"best {min(figures):.2f} s, median {statistics.median(figures):.2f} s "
            f"(CPU best {min(cpu_figures):.2f} s)"
        )
    finally:
        connection.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
