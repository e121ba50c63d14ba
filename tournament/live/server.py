"""Serve the live view: ``tournament view SCENARIO.toml``.

Solara's server (on uvicorn) runs :mod:`tournament.live.app`. Its front end (Vue, Vuetify,
require.js, fonts) is answered from the ``solara-assets`` package through Solara's asset
proxy, so the page renders with no internet access; telemetry is switched off and the server
runs in production mode (no version check or "call home" frame).
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
import warnings
import webbrowser
from pathlib import Path

from ..errors import TournamentError

VIEW_EXTRA = "pip install -e '.[view]'  (or pip install 'ibtournament[view]')"


def require_view_extra() -> None:
    """A one-line error when the ``[view]`` extra is missing."""
    missing = [m for m in ("solara", "solara_assets", "mesa.visualization") if _missing(m)]
    if missing:
        raise TournamentError(
            f"the live view needs the [view] extra ({', '.join(missing)} not installed): {VIEW_EXTRA}"
        )


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def configure(scenario_file: str | Path, page: str = "auto") -> None:
    """Environment of the Solara server process (read when Solara is first imported)."""
    # Solara's hook checker flags Mesa's own ComponentsView when it is imported (harmless, not ours)
    warnings.filterwarnings(
        "ignore", message=r".*ComponentsView: `use_state` found despite early return", category=UserWarning
    )
    from .app import ENV_PAGE, ENV_SCENARIO

    os.environ[ENV_SCENARIO] = str(scenario_file)
    os.environ[ENV_PAGE] = page
    os.environ["SOLARA_APP"] = "tournament.live.app"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_MODE", "production")


def serve(
    scenario_file: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    page: str = "auto",
    open_browser: bool = False,
    quiet: bool = False,
) -> None:
    """Check the scenario and its page, then serve the page until interrupted."""
    require_view_extra()
    from .pages import page_for

    spec = page_for(scenario_file, page)  # bad input: a one-line error before any server starts
    configure(scenario_file, page)
    import uvicorn

    port = free_port(host) if port == 0 else port
    url = f"http://{host}:{port}/"
    config = uvicorn.Config("solara.server.starlette:app", host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    if not quiet:
        print(f"{spec.title} ({spec.page} page) at {url}  — Ctrl-C to stop", flush=True)
    if open_browser:

        def _open() -> None:
            while not server.started:
                time.sleep(0.1)
            webbrowser.open(url)

        threading.Thread(target=_open, daemon=True).start()
    server.run()
