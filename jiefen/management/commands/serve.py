import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand

from jiefen.startup import require_secret_key


class Command(BaseCommand):
    help = (
        "Serve the app with gunicorn and run the sweep scheduler beside it (what `make run` does)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args, bind: str, workers: int, **options):
        require_secret_key()
        manage = [sys.executable, "manage.py"]
        procs = [
            subprocess.Popen([*manage, "scheduler"]),
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "jiefen.wsgi:application",
                    "--bind",
                    bind,
                    "--workers",
                    str(workers),
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                ]
            ),
        ]
        self.stdout.write(f"Jiefen at http://{bind}/ (scheduler pid {procs[0].pid}); Ctrl-C stops")

        def stop(*_):
            for p in procs:
                if p.poll() is None:
                    p.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            # If either process dies, stop the other: half an app is worse than none.
            while all(p.poll() is None for p in procs):
                try:
                    procs[0].wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for p in procs:
                p.wait()
