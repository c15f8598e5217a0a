"""``inventory serve`` for real: the command started as a user starts it, on a free port,
stopped with Ctrl-C, and its pages driven by headless Chromium as a colleague would use
them: the filter form, a link to an activity and its history, the subscribe link, at a
laptop's width and a phone's, with no console error and no request leaving the host."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.reaper import Reaper
from tests.test_ics import khal, khal_imported

pytestmark = pytest.mark.slow


@dataclass
class Served:
    url: str
    port: int
    process: subprocess.Popen[str]

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a person stops it; the exit code and what it said on stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the server did not stop within 20 s of Ctrl-C") from None
        return self.process.returncode, err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(store: Path, *args: str) -> Served:
    port = free_port()
    env = {**os.environ, "INVENTORY_TODAY": "2020-01-15"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inventory.cli",
            "serve",
            "--store",
            str(store),
            "--port",
            str(port),
            *args,
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve ended: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url + "api/openapi.json", timeout=2):
                return Served(url, port, process)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError("serve did not answer within 30 s")


@pytest.fixture
def served(store_copy: Path) -> Iterator[Served]:
    server = start(store_copy)
    reaper = Reaper(pid=server.process.pid)
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
        reaper.release()


def test_ctrl_c_stops_the_server_cleanly(served: Served, store_copy: Path) -> None:
    code, err = served.stop()
    assert code == 0, err
    lines = err.splitlines()
    assert lines[0] == f"inventory: serving {store_copy} (132 activities) on {served.url}"
    assert lines[1] == "inventory: press Ctrl-C to stop"
    assert "Traceback" not in err and "anyone who can reach" not in err


def test_another_host_says_who_can_now_read_the_inventory(store_copy: Path) -> None:
    server = start(store_copy, "--host", "0.0.0.0")
    reaper = Reaper(pid=server.process.pid)
    try:
        code, err = server.stop()
    finally:
        reaper.release()
    assert code == 0, err
    assert (
        f"inventory: anyone who can reach this machine on port {server.port} can now read the "
        "inventory; put it behind the office's proxy with sign-in (docs/serve.md)"
    ) in err.splitlines()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "invalid value for --port: 70000; expected 0 to 65535"),
        (["--host", "every where"], "invalid value for --host: 'every where'"),
    ],
)
def test_a_bad_address_is_one_line(argv: list[str], message: str, store_copy: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inventory.cli", "serve", "--store", str(store_copy), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"inventory: error: {message}")
    assert len(result.stderr.splitlines()) <= 2


def test_a_missing_store_is_said_before_serving(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inventory.cli", "serve", "--store", str(tmp_path / "nope.csv")],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "serving" not in result.stderr


def watch(page: Any, served: Served) -> tuple[list[str], list[str]]:
    """The page's console errors, and every request it makes that leaves the server."""
    errors: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: None if r.url.startswith(served.url) else elsewhere.append(r.url),
    )
    return errors, elsewhere


def fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_colleague_finds_novembers_glacy_activities_and_one_history(
    browser: Any, served: Served, store_copy: Path
) -> None:
    from inventory.cli import app
    from tests.helpers import runner

    edited = runner.invoke(
        app,
        ["edit", "xa9w55j8", "--title", "INTERPOL Malware Analysis Course", "-s", str(store_copy)],
    )
    assert edited.exit_code == 0, edited.stderr
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    errors, elsewhere = watch(page, served)
    page.goto(served.url)
    page.fill("input[name=project]", "GLACY+")
    page.fill("input[name=month]", "2019-11")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    # The newsletter's November 2019 for GLACY+: eleven lines.
    assert page.locator("table.inventory tbody tr").count() == 11
    assert page.locator("strong.count").inner_text() == "11"
    assert page.url == served.url + "?project=GLACY%2B&month=2019-11"
    subscribe = page.locator("a.subscribe").get_attribute("href")
    assert (
        subscribe == f"webcal://127.0.0.1:{served.port}/calendar.ics?project=GLACY%2B&month=2019-11"
    )
    assert fits(page)
    page.set_viewport_size({"width": 390, "height": 800})
    assert fits(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=INTERPOL Malware Analysis Course")
    page.wait_for_load_state()
    assert page.url == served.url + "activity/xa9w55j8"
    history = page.locator("ol.history").inner_text()
    assert "changed xa9w55j8 INTERPOL Malware Analysis Course: title" in history
    page.click("header >> text=GLACY+")
    page.wait_for_load_state()
    assert page.url == served.url + "projects/GLACY+"
    for path in ("report/Q4-2019", "timeline?quarter=Q4-2019", "projects", "api"):
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(served.url + path)
            assert fits(page), (path, width)
    page.close()
    assert errors == []
    assert elsewhere == []


def test_the_calendar_feed_is_read_by_khal(served: Served, tmp_path: Path) -> None:
    with urllib.request.urlopen(served.url + "calendar.ics?project=T-CY&quarter=Q1-2020") as got:
        assert got.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert got.headers["ETag"]
        ics = tmp_path / "feed.ics"
        ics.write_bytes(got.read())
    env, _ = khal_imported(tmp_path, ics)
    out = khal(env, "list", "2020-03-01", "2020-03-31", "--format", "{start-date}|{title}")
    # T-CY in March 2020 (the newsletter's Coming next): the Bureau meeting on 16 March.
    assert "2020-03-16|T-CY Bureau Meeting" in out.replace("| ", "|")
