"""Export 100 000 enrolments as CSV and XLSX; report wall time and peak memory (RSS).

    .venv/bin/python bench/export_memory.py [--rows 100000]

Uses DATABASE_URL if set (PostgreSQL recommended), otherwise a throw-away SQLite file.
Each export runs in a fresh process, so its peak RSS is the export's own, next to the RSS
of the same process that only started Django ("baseline").
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    import django

    django.setup()


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """Resident memory now."""
    return _status_mb("VmRSS")


def peak_rss_mb() -> float:
    """The most resident memory this process has had (its high-water mark)."""
    return _status_mb("VmHWM")


def fill(rows: int, per_session: int = 50) -> None:
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from enrolments.models import Enrolment
    from trainings.models import Course, Location, Session, SessionDay

    call_command("migrate", verbosity=0)
    if Enrolment.objects.count() >= rows:
        return
    course, _ = Course.objects.get_or_create(
        slug="benchmark",
        defaults={"title": "Benchmarktraining", "summary": "Voor metingen.", "is_published": True},
    )
    location, _ = Location.objects.get_or_create(name="Bibliotheek", city="Utrecht")
    start = timezone.now() + datetime.timedelta(days=30)
    sessions = Session.objects.bulk_create(
        Session(
            course=course,
            location=location,
            capacity=per_session - 10,
            starts_at=start + datetime.timedelta(days=i),
            ends_at=start + datetime.timedelta(days=i, hours=3),
        )
        for i in range(rows // per_session)
    )
    SessionDay.objects.bulk_create(
        SessionDay(
            session=s,
            date=timezone.localtime(s.starts_at).date(),
            start_time=timezone.localtime(s.starts_at).time().replace(microsecond=0),
            end_time=timezone.localtime(s.ends_at).time().replace(microsecond=0),
        )
        for s in sessions
    )
    batch = []
    for index in range(rows):
        session = sessions[index // per_session]
        batch.append(
            Enrolment(
                session=session,
                first_name=f"Zoë {index}",
                last_name="Hoëvenaars",
                email=f"persoon{index}@example.org",
                organisation=f"Bibliotheek {index % 300}",
                organisation_key=f"bibliotheek {index % 300}",
                job_title="IDO-medewerker",
                status="waitlisted" if index % per_session >= per_session - 10 else "registered",
            )
        )
        if len(batch) == 5000:
            Enrolment.objects.bulk_create(batch)
            batch = []
    Enrolment.objects.bulk_create(batch)


def run_export(fmt: str, limit: int) -> None:
    """In a child process: export `limit` enrolments once; print seconds, peak RSS and size."""
    setup_django()
    import gc

    from django.db.models import Subquery

    from enrolments.exports.formats import csv_stream, rows, xlsx_file
    from enrolments.models import Enrolment

    first = Enrolment.objects.order_by("pk").values("pk")[:limit]
    enrolments = Enrolment.objects.filter(pk__in=Subquery(first))
    gc.collect()
    baseline = rss_mb()
    started = time.perf_counter()
    size = 0
    if fmt == "csv":
        for chunk in csv_stream(rows(enrolments)):
            size += len(chunk.encode("utf-8"))
    elif fmt == "xlsx":
        handle = xlsx_file(rows(enrolments), "Benchmark")
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.close()
    seconds = time.perf_counter() - started
    print(f"{seconds:.2f} {peak_rss_mb():.1f} {baseline:.1f} {size}")


def measure(rows: int) -> list[dict]:
    results = []
    for fmt in ("csv", "xlsx"):
        output = subprocess.run(
            [sys.executable, __file__, "--child", fmt],
            check=True,
            capture_output=True,
            text=True,
            env=os.environ.copy(),
        ).stdout.split()
        seconds, peak, baseline, size = output
        results.append(
            {
                "format": fmt.upper(),
                "rows": rows,
                "seconds": float(seconds),
                "peak_rss_mb": float(peak),
                "baseline_rss_mb": float(baseline),
                "size_mb": int(size) / 1024 / 1024,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="export the first ROWS enrolments of the database as it is",
    )
    args = parser.parse_args()
    if args.child:
        run_export(args.child, args.rows)
        return
    if "DATABASE_URL" not in os.environ:
        database = Path(tempfile.gettempdir()) / f"trainingscatalogus-bench-{args.rows}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    setup_django()
    from django.db import connection

    if not args.existing:
        fill(args.rows)
    print(f"Database: {connection.vendor}; {args.rows} enrolments")
    print("| Format | Rows | Seconds | Peak RSS (MB) | RSS before the export (MB) | File (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in measure(args.rows):
        print(
            f"| {r['format']} | {r['rows']:,} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
            f"{r['baseline_rss_mb']:.0f} | {r['size_mb']:.1f} |"
        )


if __name__ == "__main__":
    main()
