"""The browser model as a student uses it: ``prevsim app`` on loopback, headless Chromium.

The page is switched to Lithuanian, the bands of the paired replicates appear, a slider is
moved, the model is reset with it and stepped (the chart must change), the settings are
downloaded as a scenario file that ``prevsim validate`` accepts, and the map is shown. The
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
#: ms: 5 paired replicates (about 20 s on a quiet 2-core machine, a minute on a busy one)
BAND_TIMEOUT = 240_000


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
    """``prevsim app --lang en`` on 127.0.0.1 and a free port; yields its URL.

    English first, so that the test sees the page switch to Lithuanian.
    """
    port = free_port()
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*prevsim(), "app", "--host", "127.0.0.1", "--port", str(port), "--lang", "en"],
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


def table(summary) -> list[list[str]]:
    """The summary's rows below its header, as the cells' texts."""
    return [
        [cell.inner_text() for cell in row.locator("td").all()]
        for row in summary.locator("tr").all()[1:]
    ]


def english_left_on(shown: str) -> list[str]:
    """The page's English texts (and Mesa's button labels) found in ``shown``."""
    from simulation.interfaces.app.text import ABOUT, TEXT

    english = [t for t in TEXT["en"].values() if "{" not in t and len(t) > 3]
    english += [t.split("}")[-1].strip() for t in TEXT["en"].values() if "}" in t]
    english += ["Reset", "Step", "What it is", "Things to try", "your policy", "status quo"]
    assert "What it simplifies" in ABOUT["en"]  # the list above follows the panel
    return [t for t in english if len(t) > 3 and t in shown]


@pytest.mark.slow
def test_a_student_s_session_in_lithuanian(sync_api, app_url, tmp_path):
    """Switch to Lithuanian, see the bands, move a slider and step, download, see the map."""
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
            share = page.locator(".prevsim-input-preventive_share")
            expect(summary).to_contain_text("Jan 2027, Lithuania")
            expect(share).to_contain_text("Share of the service budget for prevention")

            # The language switch translates the labels, the summary and the buttons.
            page.get_by_role("button", name="LT", exact=True).click()
            expect(share).to_contain_text("Prevencijai skiriama paslaugų biudžeto dalis: 0,30")
            expect(page.locator(".prevsim-input-ngo_cost_ratio")).to_contain_text(
                "Prielaida: NVO ir savivaldybės paslaugų kainų santykis"
            )
            expect(summary).to_contain_text("2027 m. sausis, Lietuva")
            expect(page.get_by_role("button", name="Žingsnis")).to_be_visible()

            # The paired replicates arrive: a band, the difference column and the sentence.
            note = page.locator(".prevsim-band-note")
            expect(note).to_contain_text("5 porinių kartojimų (sėklos 1–5)", timeout=BAND_TIMEOUT)
            expect(summary).to_contain_text("skirtumas: 5 porinių kartojimų intervalas")
            page.get_by_text("Apie modelį ir ką išbandyti").click()
            expect(page.locator(".prevsim-about")).to_contain_text("Ką modelis supaprastina")
            english = english_left_on(page.locator("body").inner_text())
            expect(chart).to_be_visible()
            # Solara's badge, fixed at the bottom right, covered the cost chart's legend.
            expect(page.get_by_text("This website runs on")).to_have_count(0)
            before = chart.screenshot()

            # Move the preventive share to its maximum, and a year per step.
            share.get_by_role("slider").press("End")
            expect(share).to_contain_text("Prevencijai skiriama paslaugų biudžeto dalis: 0,80")
            months = page.locator(".prevsim-input-months")
            months.get_by_role("slider").press("End")
            expect(months).to_contain_text("Mėnesių per žingsnį: 12")
            page.get_by_role("button", name="Iš naujo").click()
            expect(summary).to_contain_text("prevencijos dalis 0,80")
            page.get_by_role("button", name="Žingsnis").click()
            expect(summary).to_contain_text("2028 m. sausis, Lietuva")
            expect(summary).to_have_attribute("data-month", "228")
            expect(note).to_contain_text("5 porinių kartojimų", timeout=BAND_TIMEOUT)
            expect(summary.locator("th")).to_have_count(4)
            page.wait_for_timeout(500)  # the chart image follows the summary in one render
            after = chart.screenshot()
            rows = table(summary)

            # Play runs on by itself until paused.
            page.get_by_role("button", name="Leisti").click()
            expect(summary).to_contain_text("2029 m. sausis, Lietuva")
            page.get_by_role("button", name="Sustabdyti").click()
            expect(page.get_by_role("button", name="Leisti")).to_be_visible()

            with page.expect_download() as download:
                page.get_by_role("button", name="Atsisiųsti scenarijų (TOML)").click()
            scenario = tmp_path / "app_policy.toml"
            download.value.save_as(scenario)

            # The map of the municipalities, with its indicator in Lithuanian.
            map_part = page.locator(".prevsim-map")
            map_part.scroll_into_view_if_needed()
            expect(map_part.locator("img")).to_be_visible()
            expect(map_part).to_contain_text("Vaikai globoje 1 000 vaikų")
            shot = tmp_path / "app.png"
            page.screenshot(path=str(shot))
            print(f"screenshot: {shot}")
        finally:
            browser.close()
    assert not english, english
    assert before != after, "the families chart did not change"
    # A year of the policy moved families: some row of the run differs from the status quo,
    # and each row has the range of the difference over the replicates.
    assert len(rows) == 5, rows
    assert all(len(cells) == 4 for cells in rows), rows
    assert any(mine != quo for _, mine, quo, _ in rows), rows
    assert all("…" in spread for *_, spread in rows), rows
    checked = subprocess.run(
        [*prevsim(), "validate", str(scenario)], capture_output=True, text=True, cwd=REPO
    )
    assert checked.returncode == 0, checked.stderr
    assert "preventive share 0.80" in scenario.read_text(encoding="utf-8")


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


def test_the_app_opens_in_lithuanian_unless_told(capsys, monkeypatch):
    assert main(["app", "--help"]) == 0
    assert "(default: lt)" in " ".join(capsys.readouterr().out.split())
    from simulation.interfaces.app import page, server

    monkeypatch.delenv(server.LANG_ENV, raising=False)
    assert page.first_language() == "lt"
    monkeypatch.setenv(server.LANG_ENV, "en")
    assert page.first_language() == "en"
