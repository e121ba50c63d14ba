"""Headless Chromium for browser tests (Debian's ``chromium`` and ``chromium-driver``, driven
by selenium). :func:`start` skips the test, saying why, when any piece is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def find() -> tuple[str | None, str | None]:
    """(the Chromium binary, chromedriver): paths, or None where missing."""
    browser = next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)
    return browser, shutil.which("chromedriver")


def missing() -> str | None:
    """Why a browser test cannot run here (None: it can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    browser, driver = find()
    if browser is None or driver is None:
        return (
            "headless Chromium is not installed (Debian: apt-get install chromium chromium-driver; "
            ".ci/run installs them when apt is usable)"
        )
    return None


def start(profile: Path, width: int = 1280, height: int = 900, extra: tuple[str, ...] = (), performance_log=False):
    """A selenium Chrome driver on headless Chromium with a fresh profile in ``profile``;
    ``extra`` command-line flags, and the DevTools performance log when asked. Skips the
    test, saying why, when a piece is missing or the browser does not start."""
    why = missing()
    if why:
        pytest.skip(why)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = find()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", *extra):
        options.add_argument(flag)
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    try:
        return webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    except Exception as exc:  # noqa: BLE001 - a browser that does not start is an environment problem
        pytest.skip(f"headless Chromium did not start: {type(exc).__name__}: {str(exc).splitlines()[0]}")
