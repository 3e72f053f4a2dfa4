"""The embedded default as `make run` serves it (a SQLite file, no broker, runserver): an
upload is ingested off the request (TASKS_IN_THREADS, config.celery.PaperboardTask), the
uploads page follows the dump's progress live and lists it with the earlier dumps once it
has ended, without a reload."""

import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.frontend.conftest import BROWSER_MARKS
from tests.frontend.test_browser import TIMEOUT_MS, expect, screenshot
from tests.live import free_port

pytestmark = BROWSER_MARKS

ROOT = Path(__file__).resolve().parents[2]
DAY = datetime.date(2024, 3, 5)
PAPERS = 14000  # about 3.5 MB: progress moves at each 1 MB the parser reads
PASSWORD = "embedded-admin-pass-1"
READY_TIMEOUT = 60


def _embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DEBUG", "SECRET_KEY")
        and not k.startswith(("DJANGO_", "TASKS_"))
    }
    env.update(SQLITE_PATH=str(tmp_path / "db.sqlite3"), MEDIA_ROOT=str(tmp_path / "media"))
    return env


def _manage(env, *args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
    )


@pytest.fixture
def embedded_server(tmp_path):
    """`manage.py runserver` on a fresh SQLite file with the demo admin; its base URL."""
    env = _embedded_env(tmp_path)
    _manage(env, "migrate", "--noinput", "-v", "0")
    _manage(env, "demo_admin", "--password", PASSWORD)
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            try:
                if requests.get(f"{url}/healthz", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def _big_dump(path: Path) -> Path:
    paragraphs = ["Daily Papers", DAY.strftime("%b %-d")]
    for i in range(PAPERS):
        paragraphs.append(f"Live progress study number {i}")
        paragraphs.append(f"We follow how study {i} moves through the ingestion. " * 4)
    path.write_text("\n\n".join(paragraphs) + "\n")
    return path


# Every value the page gives its progress bars, in order.
WATCH_PROGRESS = """() => {
  window.seen = [];
  const set = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value").set;
  const get = Object.getOwnPropertyDescriptor(HTMLProgressElement.prototype, "value").get;
  Object.defineProperty(HTMLProgressElement.prototype, "value", {
    set(v) { window.seen.push(Number(v)); set.call(this, v); },
    get() { return get.call(this); },
  });
}"""


def test_the_upload_answers_at_once_and_the_page_follows_the_progress(
    browser, embedded_server, tmp_path
):
    context = browser.new_context(base_url=embedded_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto("/accounts/login/?next=/uploads/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/uploads/")
    expect()(page.locator("[data-earlier-dumps]")).to_contain_text("No dump yet.")
    page.evaluate(WATCH_PROGRESS)

    page.get_by_label("Drop digest files here, or choose them").set_input_files(
        str(_big_dump(tmp_path / "big-day.txt"))
    )
    with page.expect_response(lambda r: r.url.endswith("/api/dumps/")) as answer:
        page.get_by_role("button", name="Upload").click()
    # The POST answered before the ingestion ended: the dump was queued or under way.
    assert answer.value.json()["status"] in ("queued", "processing")

    item = page.locator("li.upload")
    expect()(item.locator(".upload-status")).to_have_text("Done", timeout=120_000)
    seen = page.evaluate("window.seen")
    assert any(0 < value < 100 for value in seen), seen
    assert seen[-1] == 100
    expect()(item.locator("dl.stats")).to_contain_text("new papers")

    # The list of earlier dumps holds it now, without a reload.
    earlier = page.locator("[data-earlier-dumps] table.dumps tbody tr")
    expect()(earlier).to_have_count(1)
    expect()(earlier).to_contain_text("big-day.txt")
    expect()(earlier).to_contain_text(f"{PAPERS} new papers")
    screenshot(page, "uploads-live")
    assert errors == []
    context.close()
