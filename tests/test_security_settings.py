"""Production settings: no serving on the public dev key, `make run` makes the installation's key
once, `check --deploy` passes with the documented production settings, and every page carries
a Content-Security-Policy that its own HTML keeps (no inline script, handler or style)."""

import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings

from tests.test_navigation import demo, walk  # noqa: F401  (demo is a fixture)

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)


def start(tmp_path, code="import jiefen.wsgi", **env):
    """Run `code` as a fresh process (the settings load anew) with only these settings."""
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "HTTPS"}}
    base.update({"JIEFEN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jiefen.settings"})
    base.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True
    )


def test_serving_without_a_key_is_refused_in_one_line(tmp_path):
    result = start(tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("jiefen: refusing to start with DEBUG off and no secret key")


def test_serving_on_the_dev_key_is_refused(tmp_path):
    result = start(tmp_path, SECRET_KEY=django_settings.DEV_SECRET_KEY)
    assert result.returncode == 1 and "refusing to start" in result.stderr


def test_the_key_file_or_debug_lets_it_start(tmp_path):
    assert start(tmp_path, DEBUG="true").returncode == 0
    (tmp_path / "secret_key").write_text("k" * 20 + "installation-own-key-0123456789abcdef\n")
    shown = start(
        tmp_path, "import jiefen.wsgi; from django.conf import settings as s; print(s.SECRET_KEY)"
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip().endswith("installation-own-key-0123456789abcdef")


def test_make_writes_the_installation_key_once(tmp_path):
    make = ["make", "-s", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), "var/secret_key"]
    subprocess.run([*make, f"PYTHON={sys.executable}"], check=True, capture_output=True)
    key_file = tmp_path / "var" / "secret_key"
    key = key_file.read_text().strip()
    assert len(key) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    subprocess.run([*make, f"PYTHON={sys.executable}"], check=True, capture_output=True)
    assert key_file.read_text().strip() == key


def test_check_deploy_passes_on_the_documented_production_settings(tmp_path):
    (tmp_path / "secret_key").write_text(secrets.token_urlsafe(50))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in {"SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            },
            "JIEFEN_VAR_DIR": str(tmp_path),
            "HTTPS": "true",
            "ALLOWED_HOSTS": "jiefen.example.gov.cn",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_https_settings_set_secure_cookies_and_hsts(tmp_path):
    (tmp_path / "secret_key").write_text("y7-" * 20)
    code = (
        "import django; from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_AGE)"
    )
    result = start(tmp_path, code, HTTPS="true", SESSION_HOURS="2")
    assert result.stdout.split() == ["True", "True", "31536000", "True", "7200"]


def test_pages_carry_a_csp_and_keep_it(client, demo):  # noqa: F811
    response = client.get("/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    for username in ("admin", "county_clerk", "village_clerk", "mediator"):
        pages, _broken, _seen = walk(client, username)
        case_url = re.search(r'href="(/cases/[^"/]+-\d{8}-\d{4}/)"', pages["/cases/"])
        if case_url:
            pages[case_url.group(1)] = client.get(case_url.group(1)).content.decode()
        for url, html in pages.items():
            assert not INLINE_SCRIPT.search(html), (username, url, "inline script")
            assert not HANDLER.search(html), (username, url, "inline event handler")
            assert not STYLE_ATTR.search(html), (username, url, "style attribute")
        client.logout()
