"""Phone screenshots for the README, made from the demo data (never by hand).

Builds the demo county (`seed_demo --seed 1`) in a temporary SQLite database, serves it on a
free port, and with Playwright driving Debian's Chromium at 390×844 (a phone) writes into
docs/screenshots/:

    header.png          the top bar, menu closed (the work queue of the grid worker)
    header-menu.png     the same with the menu open
    case-list.png       the village clerk's case list, filters collapsed
    case-list-filters.png  the same with the filters open
    intake.png          the intake form's first screen (the grid worker)
    picker.png          a searchable picker: the staff form's grid, two characters typed

    .venv/bin/python docs/screenshots/make.py [--out docs/screenshots]
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
PASSWORD = "jiefen-demo"
TIMEOUT_MS = 60_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def serve(env: dict) -> tuple[subprocess.Popen, str]:
    """runserver with DEBUG on, so static files come from the apps (no collectstatic)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:  # wait for the server's health check to answer
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def shoot(url: str, out: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )

        def login(username: str):
            context = browser.new_context(
                locale="zh-CN", viewport=PHONE, device_scale_factor=2, base_url=url
            )
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            page.goto("/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{url}/")
            return page

        grid = login("grid")
        grid.screenshot(path=str(out / "header.png"))
        grid.click("#menu-button")
        expect(grid.locator("nav.mainnav")).to_be_visible()
        grid.screenshot(path=str(out / "header-menu.png"))

        grid.goto("/cases/new/")
        grid.screenshot(path=str(out / "intake.png"))

        clerk = login("village_clerk")
        clerk.goto("/cases/?q=纠纷")
        expect(clerk.locator("#filters form")).to_be_hidden()
        clerk.screenshot(path=str(out / "case-list.png"))
        clerk.click("#filters summary")
        expect(clerk.locator("#id_status")).to_be_visible()
        clerk.screenshot(path=str(out / "case-list-filters.png"))

        admin = login("admin")
        admin.goto("/manage/staff/new/")
        search = admin.locator("#id_area")
        picker = admin.locator(".picker", has=search)
        asked = f"q={quote('第一')}"
        with admin.expect_response(lambda r: "/pick/" in r.url and asked in r.url):
            search.fill("第一")
        expect(picker.locator(".picker-results .picker-option").first).to_be_visible()
        admin.evaluate("y => window.scrollTo(0, y)", search.bounding_box()["y"] - 200)
        admin.screenshot(path=str(out / "picker.png"))
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(prefix="jiefen-screenshots-") as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3",
            "JIEFEN_VAR_DIR": tmp,
            "MEDIA_ROOT": f"{tmp}/media",
        }
        manage(env, "compile_translations")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--seed", "1")
        proc, url = serve(env)
        try:
            shoot(url, args.out)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    for png in sorted(args.out.glob("*.png")):
        print(png.relative_to(ROOT) if png.is_relative_to(ROOT) else png)


if __name__ == "__main__":
    main()
