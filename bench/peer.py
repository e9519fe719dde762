"""The intake benchmark's peer: django-helpdesk, installed from PyPI into its own virtualenv
under var/ (never committed), serving ticket creation and an empty Django view.

`bench/intake.py --peer` calls `prepare()` once (creates the virtualenv on first use, writes a
small Django project beside it, migrates a fresh SQLite file, creates a staff user, a queue and
a token) and `start()` to run it under gunicorn with the same options as ours.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

HELPDESK = "django-helpdesk==2.6.1"
ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "var" / "peer-helpdesk"
PROJECT = VENV / "project"

SETTINGS = """\
import os

BASE = os.path.dirname(os.path.abspath(__file__))
SECRET_KEY = "peer-bench-" + "x" * 40
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "peer.urls"
WSGI_APPLICATION = "peer.wsgi.application"
SITE_ID = 1
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "helpdesk",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
# The same SQLite options as Jiefen's (jiefen/settings.py).
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["PEER_DB"],
        "CONN_MAX_AGE": int(os.environ.get("PEER_CONN_MAX_AGE", "0")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = os.path.join(os.path.dirname(os.environ["PEER_DB"]), "media")
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Token authentication, as Jiefen's API (a password check per request would measure PBKDF2).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
}
HELPDESK_API_ENABLED = True
HELPDESK_TEAMS_MODE_ENABLED = False  # pinax-teams is not a dependency of the package
"""

URLS = """\
from django.http import HttpResponse
from django.urls import include, path


def empty(request):
    return HttpResponse(b"")


urlpatterns = [
    path("empty", empty),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
"""

WSGI = """\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
application = get_wsgi_application()
"""

SETUP = """\
import django

django.setup()
from django.contrib.auth import get_user_model
from helpdesk.models import Queue
from rest_framework.authtoken.models import Token

user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-pw-1")
queue = Queue.objects.create(title="Bench", slug="bench")
print(Token.objects.create(user=user).key, queue.pk)
"""


def python() -> Path:
    return VENV / "bin" / "python"


def install() -> None:
    """The virtualenv with django-helpdesk and gunicorn, made once (var/ is not committed)."""
    marker = VENV / f".installed-{HELPDESK}"
    if marker.exists():
        return
    # The interpreter Jiefen's virtualenv was made from, so the peer runs on the same Python.
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python()), "-m", "pip", "install", "-q", HELPDESK, "gunicorn"], check=True)
    marker.write_text("")


def prepare(workdir: Path, conn_max_age: int) -> tuple[dict, str, int]:
    """Install if needed, write the project, migrate a fresh database in `workdir`; returns
    (environment, API token, queue id)."""
    install()
    package = PROJECT / "peer"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    for name, text in (("settings", SETTINGS), ("urls", URLS), ("wsgi", WSGI)):
        (package / f"{name}.py").write_text(textwrap.dedent(text))
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="peer.settings",
        PEER_DB=str(workdir / "peer.sqlite3"),
        PEER_CONN_MAX_AGE=str(conn_max_age),
        PYTHONPATH=str(PROJECT),
    )
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [str(python()), "-m", "django", "migrate", "--noinput", "-v", "0"],
        cwd=PROJECT,
        env=env,
        check=True,
    )
    out = subprocess.run(
        [str(python()), "-c", SETUP], cwd=PROJECT, env=env, check=True, capture_output=True
    ).stdout.decode()
    token, queue = out.split()
    return env, token, int(queue)


def ticket_body(i: int, queue: int) -> dict:
    return {
        "queue": queue,
        "title": f"压测纠纷 {i}",
        "description": "楼上住户改造卫生间导致楼下渗水，双方多次争吵。",
        "submitter_email": "zhangsan@example.com",
        "priority": 3,
    }
