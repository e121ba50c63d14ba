"""The live view's browser harness: the view server, and headless Chromium (started by
:mod:`chromium`, the suite's one browser helper) with the network unreachable: host names
other than 127.0.0.1 do not resolve, every other connection goes to a dead proxy, and every
request the page made is returned so a test can assert that none left 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

from chromium import missing, start  # noqa: F401 - missing is re-exported for the tests

DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens there
LOCAL_HOSTS = {"127.0.0.1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def offline_env() -> dict[str, str]:
    """Environment of the server process: outgoing HTTP(S) goes to a dead proxy."""
    env = dict(os.environ)
    for key in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[key] = DEAD_PROXY
    env["NO_PROXY"] = env["no_proxy"] = ""
    return env


@contextmanager
def view_server(scenario: str | Path, *args: str, timeout: float = 120.0):
    """Run ``tournament view SCENARIO --port N`` on 127.0.0.1 and yield its URL."""
    import urllib.request

    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from tournament.cli import main; sys.exit(main())",
            "view",
            str(scenario),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *args,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=offline_env(),
    )
    url = f"http://127.0.0.1:{port}/"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to the local server
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"tournament view exited with {proc.returncode}:\n{log.read()}")
            try:
                with opener.open(url, timeout=5) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"tournament view did not answer on {url} within {timeout:g} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def chromium(width: int = 1400, height: int = 1000):
    """A headless Chromium (fresh profile, performance log on) that cannot reach anything but
    127.0.0.1: names do not resolve and every other request goes to a dead proxy."""
    profile = tempfile.mkdtemp(prefix="tv-chromium-")
    offline = (
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        f"--proxy-server={DEAD_PROXY}",
        "--proxy-bypass-list=127.0.0.1",
    )
    driver = start(Path(profile), width, height, extra=offline, performance_log=True)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def network_log(driver) -> tuple[list[str], list[tuple[str, str]]]:
    """(every URL the page requested, (URL, error) of every failed load) since the last call."""
    urls: dict[str, str] = {}
    failed = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        params = msg.get("params", {})
        if msg["method"] == "Network.requestWillBeSent":
            urls[params["requestId"]] = params["request"]["url"]
        elif msg["method"] == "Network.webSocketCreated":
            urls[params["requestId"]] = params["url"]
        elif msg["method"] == "Network.loadingFailed" and not params.get("canceled"):
            failed.append((params["requestId"], params.get("errorText", "")))
    return list(urls.values()), [(urls.get(rid, rid), err) for rid, err in failed]


def external(urls: list[str]) -> list[str]:
    """The requests that went anywhere but 127.0.0.1 (browser-internal pages excluded)."""
    out = []
    for u in urls:
        parsed = urlparse(u)
        if parsed.scheme in ("http", "https", "ws", "wss") and parsed.hostname not in LOCAL_HOSTS:
            out.append(u)
    return out
