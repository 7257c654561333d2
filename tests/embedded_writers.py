"""Writers against the embedded default's SQLite file, one kind per process (tests only).

    python -m tests.embedded_writers <kind> <iterations> [--sabotage]

``api`` submits generations (``job_submit``: reads the quota, then writes under a row
lock), ``page`` does what a page view does (reads, then writes a notification),
``worker`` writes progress and heartbeats to a running job. Each prints one line:
``RESULT <kind> <ok> <locked> <other>``. ``--sabotage`` switches off the protections
(WAL and IMMEDIATE transactions: SQLite's defaults) to show the test needs them.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    kind, iterations, *flags = sys.argv[1:]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path[:0] = [".", "platform"]
    import django
    from django.conf import settings

    if "--sabotage" in flags:
        options = settings.DATABASES["default"]["OPTIONS"]
        options.pop("transaction_mode", None)
        options["init_command"] = "PRAGMA journal_mode=DELETE;"
    django.setup()

    from django.db import OperationalError, transaction

    from accounts.models import User
    from jobs.models import Job
    from jobs.services import job_submit
    from notifications.models import Notification

    artist = User.objects.get(email=os.environ["WRITER_ARTIST"])
    job = Job.objects.filter(artist=artist).order_by("pk").first()
    ok = locked = other = 0
    for n in range(int(iterations)):
        try:
            if kind == "api":
                job_submit(
                    artist=artist, prompt=f"writer {n}", duration_seconds=2,
                    resolution="480p", aspect_ratio="16:9",
                )  # fmt: skip
            elif kind == "page":
                with transaction.atomic():
                    unread = Notification.objects.filter(user=artist, read_at=None).count()
                    Notification.objects.create(user=artist, message=f"page {n} ({unread})")
            elif kind == "worker":
                with transaction.atomic():
                    assert job is not None
                    Job.objects.filter(pk=job.pk).values("progress").first()
                    Job.objects.filter(pk=job.pk).update(progress=(n % 100) / 100)
            ok += 1
        except OperationalError as error:
            if "locked" in str(error):
                locked += 1
            else:
                other += 1
    print(f"RESULT {kind} {ok} {locked} {other}", flush=True)


if __name__ == "__main__":
    main()
