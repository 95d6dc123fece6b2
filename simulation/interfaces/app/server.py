"""``prevsim app``: serve the interactive browser model with Solara.

The model's page is ``simulation.interfaces.app.page``. This module stays light (no Solara or
Mesa import): it checks the address, then runs
``python -m solara run simulation.interfaces.app.page`` as a child process and waits for it.
Options reach the page through environment variables (``app.SCENARIO_ENV``,
``app.LANG_ENV``), because ``solara run`` imports the page module itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

#: How the options reach the page (``simulation.interfaces.app.page`` reads them).
SCENARIO_ENV = "PREVSIM_APP_SCENARIO"
LANG_ENV = "PREVSIM_APP_LANG"
APP_MODULE = "simulation.interfaces.app.page"


def check_address(host: str, port: int) -> None:
    """Raise ``ValueError`` (one line) unless this process could listen on ``host:port``.

    Solara would otherwise fail after seconds of start-up with a long traceback.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise ValueError(f"--host {host}: unknown address ({exc.strerror})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            raise ValueError(
                f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc})"
            ) from None


def command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line for the app."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",  # no file watcher and no hot reload: we serve, we do not develop
        "--no-open",
    ]


def environment(scenario: Path, lang: str) -> dict[str, str]:
    """The server's environment: the app's options, Solara's telemetry and badge off.

    Telemetry is off because the machines this runs on may have no network, and students'
    usage is nobody's data.
    """
    env = dict(os.environ)
    env[SCENARIO_ENV] = str(Path(scenario).resolve())
    env[LANG_ENV] = lang
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_THEME_SHOW_BANNER"] = "False"  # its badge covered the cost chart's legend
    return env


def serve(host: str, port: int, scenario: Path, lang: str) -> int:
    """Serve the app until interrupted; returns the server's exit code.

    The exit code is 0 when the server is stopped by Ctrl+C or SIGTERM.

    Raises
    ------
    ValueError
        If the address cannot be used (one line, for the command line's exit code 2).
    """
    check_address(host, port)
    shown = f"[{host}]" if ":" in host else host
    print(f"prevsim app: http://{shown}:{port} (Ctrl+C stops it)", flush=True)
    server = subprocess.Popen(command(host, port), env=environment(scenario, lang))
    stopped = []

    def stop(*_) -> None:  # a SIGTERM to us (a test, a service manager) must not orphan it
        stopped.append(True)
        server.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        code = server.wait()
        return 0 if stopped else code
    except KeyboardInterrupt:  # the server got the same Ctrl+C and is stopping
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
