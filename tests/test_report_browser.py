"""report.html in a real browser (headless Chromium): no raw ``nan`` in any cell, no table wider
than the page, and working links between a comparison and its sub-reports."""

import re
from pathlib import Path

import pytest
from chromium import start

from tournament import run_scenario
from tournament.cli import main

ROOT = Path(__file__).resolve().parents[1]
CLASSICS = [
    "always_cooperate",
    "always_defect",
    "tit_for_tat",
    "grim",
    "win_stay_lose_shift",
    "tit_for_two_tats",
    "two_tits_for_tat",
    "suspicious_tit_for_tat",
    "alternator",
    "go_by_majority",
    "bully",
    "generous_tit_for_tat",
]

LAYOUT = """
const page = document.documentElement.clientWidth;
const tables = [...document.querySelectorAll('table')].map(t => {
  const r = t.getBoundingClientRect();
  return {left: r.left, right: r.right, width: r.width};
});
return {page: page, scroll: document.documentElement.scrollWidth, tables: tables,
        cells: [...document.querySelectorAll('td, th')].map(c => c.innerText.trim()),
        images: [...document.images].map(i => i.complete && i.naturalWidth > 0)};
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    d = start(tmp_path_factory.mktemp("chromium-profile"), width=1024, height=800)
    yield d
    d.quit()


def check_page(driver, path: Path) -> dict:
    driver.get(path.resolve().as_uri())
    info = driver.execute_script(LAYOUT)
    bad = [c for c in info["cells"] if re.search(r"\bnan\b|\bNone\b|<NA>", c, re.IGNORECASE)]
    assert not bad, f"{path}: raw missing values in cells {bad[:5]}"
    assert info["scroll"] <= info["page"], f"{path}: the page scrolls sideways ({info['scroll']} > {info['page']})"
    for t in info["tables"]:
        assert t["right"] <= info["page"], f"{path}: a table {t['width']:.0f} px wide runs off the page"
    assert all(info["images"]), f"{path}: an image did not load"
    return info


@pytest.mark.slow
def test_a_twelve_entrant_report_fits_the_page_and_has_no_nan(tmp_path, driver):
    sc = {
        "name": "12 classics without self-play",
        "seed": 1,
        "game": {"name": "axelrod_pd"},
        "tournament": {"turns": 30, "repetitions": 2, "noise": 0.02},
        "entrants": [{"strategy": s} for s in CLASSICS],
    }
    out = tmp_path / "rr"
    run_scenario(sc, out=out)
    md = (out / "report.md").read_text()
    assert "| — |" in md and "— : the two never met" not in md  # the diagonal is a dash, explained once
    assert "—: the two never met (without self-play an entrant does not meet itself)" in md
    info = check_page(driver, out / "report.html")
    assert "—" in info["cells"] and len(info["images"]) >= 3
    shot = tmp_path / "report.png"
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def test_compare_report_links_to_the_sub_reports_and_back(tmp_path, driver):
    from selenium.webdriver.common.by import By

    files = []
    for i, s in enumerate(("tit_for_tat", "always_defect")):
        f = tmp_path / f"{s}.toml"
        f.write_text(
            f'seed = {i + 1}\nname = "{s} field"\n[game]\nname = "prisoners_dilemma"\n'
            "[tournament]\nturns = 30\nrepetitions = 3\nnoise = 0.05\n[report]\nplots = false\n"
            f'[[entrants]]\nstrategy = "{s}"\ncount = 2\n[[entrants]]\nstrategy = "grim"\n'
        )
        files.append(str(f))
    out = tmp_path / "cmp"
    assert main(["compare", *files, "--out", str(out), "--quiet"]) == 0
    check_page(driver, out / "report.html")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "a[href$='report.html']")]
    assert len(links) == 2
    for link, name in zip(links, ("tit_for_tat field", "always_defect field")):
        driver.get(link)
        assert driver.find_element(By.TAG_NAME, "h1").text == name  # the sub-report itself, not an error page
        check_page(driver, Path(link.removeprefix("file://")))
        back = driver.find_element(By.PARTIAL_LINK_TEXT, "all populations side by side")
        back.click()
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith("Comparison of")
