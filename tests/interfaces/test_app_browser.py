"""The browser model as a student uses it: ``prevsim app`` on loopback, headless Chromium.

A slider is moved, the model is reset with it and stepped, and the chart must change. The
browser is Debian's Chromium driven by Playwright (``make test`` installs it when missing;
Playwright's own browser download is never used). A screenshot of the page is saved in the
test's temporary folder (its path is printed) for a person to look at.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from simulation.interfaces.cli import main
from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
START_TIMEOUT = 120.0  # s: the server imports Solara, Mesa and the model (about 10 s here)
UI_TIMEOUT = 120_000  # ms: the first page builds a model and its status quo run


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prevsim() -> list[str]:
    """The console script next to this Python, or the module if it is not installed."""
    script = Path(sys.executable).with_name("prevsim")
    return [str(script)] if script.exists() else [sys.executable, "-m", "simulation"]


def stop(server: subprocess.Popen) -> None:
    """Stop the server's process group (``prevsim`` and its Solara child), bounded."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if server.poll() is not None:
            break
        os.killpg(server.pid, sig)
        try:
            server.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    if server.poll() is None:
        raise RuntimeError("the app server did not stop")


@pytest.fixture
def sync_api():
    """Playwright's sync API, with Debian's Chromium present (else the test is skipped
    before any server starts).
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    return pytest.importorskip("playwright.sync_api")


@pytest.fixture
def app_url(tmp_path):
    """``prevsim app`` on 127.0.0.1 and a free port; yields its URL."""
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*prevsim(), "app", "--host", "127.0.0.1", "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
            start_new_session=True,  # its own process group, so that stop() ends the child too
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"prevsim app exited with {server.returncode}:\n{log_path.read_text()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"prevsim app not ready in {START_TIMEOUT:.0f} s")
            time.sleep(0.5)
        yield url
    finally:
        stop(server)


@pytest.mark.slow
def test_moving_a_slider_and_stepping_changes_the_chart(sync_api, app_url, tmp_path):
    expect = sync_api.expect
    expect.set_options(timeout=UI_TIMEOUT)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(UI_TIMEOUT)
            page.goto(app_url)
            chart = page.locator(".prevsim-families-chart img")
            summary = page.locator(".prevsim-summary")
            expect(chart).to_be_visible()
            expect(summary).to_contain_text("Jan 2027, Lithuania")
            before = chart.screenshot()

            # Move the preventive share to its maximum, and a year per step.
            share = page.locator(".prevsim-input-preventive_share")
            share.get_by_role("slider").press("End")
            expect(share).to_contain_text("Preventive share of the service budget: 0.80")
            page.locator(".prevsim-input-months").get_by_role("slider").press("End")
            expect(page.locator(".prevsim-input-months")).to_contain_text("Months per step: 12")

            page.get_by_role("button", name="Reset").click()
            expect(summary).to_contain_text("preventive share 0.80")
            page.get_by_role("button", name="Step").click()
            expect(summary).to_contain_text("Jan 2028, Lithuania")
            expect(summary).to_have_attribute("data-month", "228")
            page.wait_for_timeout(500)  # the chart image follows the summary in one render
            after = chart.screenshot()
            rows = [
                [cell.inner_text() for cell in row.locator("td").all()]
                for row in summary.locator("tr").all()[1:]  # the first is the header
            ]
            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
        finally:
            browser.close()
    assert before != after, "the families chart did not change"
    # A year of the policy moved families: some row of the run differs from the status quo.
    assert len(rows) == 5, rows
    assert all(len(cells) == 3 for cells in rows), rows
    assert any(mine != quo for _, mine, quo in rows), rows


def test_bad_app_arguments_exit_2_in_one_line(capsys):
    assert main(["app", "--port", "0"]) == 2
    assert main(["app", "--port", "70000"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2, err
    assert all(line.startswith("prevsim app: ") for line in err), err
    assert "65535" in err[1]


def test_a_port_in_use_exits_2_in_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"prevsim app: --port {port}: cannot listen on 127.0.0.1:{port}")


def test_bad_app_port_from_the_shell_has_no_traceback():
    proc = subprocess.run(
        [*prevsim(), "app", "--port", "http"], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "prevsim app: argument --port: expected a whole number, got 'http' "
        "(see 'prevsim app --help')"
    )
