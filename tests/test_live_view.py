"""The live view (``tournament view``): its models give ``tournament run``'s trajectories for the
same seed, every page's panels draw what the model holds, and the page renders in headless
Chromium with the network unreachable.

The model tests need Mesa only; the panel tests need the ``[view]`` extra (Solara) and the
browser test also Debian's chromium + chromium-driver (installed by .ci/run); each skips with
the reason when its part is missing.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
from conftest import write_toml

from tournament import ScenarioError, TournamentError, run_scenario
from tournament.live import models
from tournament.live.pages import page_for

# Solara's hook checker flags Mesa's own ComponentsView (mesa/visualization/solara_viz.py)
pytestmark = pytest.mark.filterwarnings("ignore:.*ComponentsView. .use_state. found despite early return:UserWarning")

ROUND_ROBIN = """
name = "rr"
seed = 7
[game]
name = "prisoners_dilemma"
[tournament]
kind = "round_robin"
turns = 40
repetitions = 3
noise = {noise}
[report]
traces = 3
[[entrants]]
strategy = "tit_for_tat"
[[entrants]]
strategy = "random"
[[entrants]]
strategy = "always_defect"
[[entrants]]
strategy = "win_stay_lose_shift"
name = "Pavlov <b>$x$</b>"
"""

HAGGLERS = """
name = "hagglers"
seed = 101
[game]
name = "stag_hunt"
params = {{ players = 2 }}
[tournament]
kind = "round_robin"
turns = 60
repetitions = 2
noise = {noise}
[report]
traces = 2
[[entrants]]
strategy = "ib_haggler"
name = "haggler A"
[[entrants]]
strategy = "ib_haggler"
name = "haggler B"
"""

SWITCHERS = """
name = "switchers"
seed = 2018
[game]
name = "coordination_high_low"
[tournament]
kind = "round_robin"
turns = 300
repetitions = 2
self_play = true
[report]
traces = 2
[[entrants]]
strategy = "softmax_switcher"
params = { alpha = 0.3 }
name = "a"
[[entrants]]
strategy = "softmax_switcher"
params = { alpha = 1.0 }
name = "b"
"""

MORAN_GRAPH = """
name = "moran <i>on</i> a ring"
seed = 5
[game]
name = "prisoners_dilemma"
[tournament]
kind = "moran"
turns = 10
runs = 3
update = "death_birth"
max_generations = 20
[tournament.graph]
interaction = { generator = "small_world", k = 4, p = 0.1 }
[[entrants]]
strategy = "tit_for_tat"
count = 12
[[entrants]]
strategy = "always_defect"
count = 12
"""

RANDOM_MATCHING = """
name = "matching"
seed = 4
[game]
name = "prisoners_dilemma"
[tournament]
kind = "random_matching"
turns = 30
noise = 0.02
runs = 2
generations = 2
selection_intensity = 2.0
record_every = 5
[[entrants]]
strategy = "tit_for_tat"
count = 6
[[entrants]]
strategy = "always_defect"
count = 6
"""

SHARES = """
name = "{kind}"
seed = 3
[game]
name = "prisoners_dilemma"
[tournament]
kind = "{kind}"
turns = 20
repetitions = 2
noise = 0.05
generations = 40
[[entrants]]
strategy = "tit_for_tat"
[[entrants]]
strategy = "always_defect"
[[entrants]]
strategy = "random"
"""


def step_all(model, cap: int = 100_000):
    n = 0
    while model.running and n < cap:
        model.step()
        n += 1
    assert not model.running, "the model did not finish"
    return model


# ------------------------------------------------------------------ same seed, same trajectory
@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_round_robin_view_plays_the_runs_matches(tmp_path, noise):
    path = write_toml(tmp_path, ROUND_ROBIN.format(noise=noise))
    run = run_scenario(path).matches.sort_values("match_id").reset_index(drop=True)
    live = step_all(models.LiveRoundRobin(path))
    mine = live.matches().sort_values("match_id").reset_index(drop=True)
    assert len(mine) == len(run) == 6 * 3
    cols = [
        "match_id",
        "repetition",
        "entrant_0",
        "entrant_1",
        "payoff_0",
        "payoff_1",
        "turns",
        "settled",
        "cycle_period",
        "cycle_onset",
    ]
    pd.testing.assert_frame_equal(mine[cols], run[cols], check_dtype=False)
    # the running standings end at the run's standings
    final = dict(zip(live.names, live.history[-1]))
    for row in run_scenario(path).standings.itertuples():
        assert final[row.entrant] == pytest.approx(row.mean_payoff)
    assert live.history.shape == (18, 4)


def test_a_seed_on_the_page_is_the_seed_of_the_run(tmp_path):
    path = write_toml(tmp_path, ROUND_ROBIN.format(noise=0.1))
    other = write_toml(tmp_path, ROUND_ROBIN.format(noise=0.1).replace("seed = 7", "seed = 8"), "other.toml")
    live = step_all(models.LiveRoundRobin(path, seed="8")).matches()
    run8 = run_scenario(other).matches
    run7 = run_scenario(path).matches
    assert live["payoff_0"].tolist() == pytest.approx(run8.sort_values("match_id")["payoff_0"].tolist())
    assert live["payoff_0"].tolist() != pytest.approx(run7.sort_values("match_id")["payoff_0"].tolist())


@pytest.mark.parametrize("noise", [0.0, 0.1])
def test_haggler_match_view_replays_the_runs_match_round_by_round(tmp_path, noise):
    path = write_toml(tmp_path, HAGGLERS.format(noise=noise))
    run = run_scenario(path)
    rounds = next(iter(run.populations.values())).rounds
    labels = models.seating_labels(models.view_scenario(path))
    assert labels == ["1. haggler A vs haggler B"]
    live = models.LiveMatch(path, pairing=labels[0], repetition=1)
    assert live.match_id == 1
    seen = []
    while live.running:
        live.step()
        seen.append(live.actions()[-1].tolist())
    want = rounds[1]
    np.testing.assert_array_equal(np.array(seen), want["actions"])
    np.testing.assert_array_equal(live.actions(), want["actions"])
    for seat in range(2):
        np.testing.assert_allclose(live.traces(seat)["demand"], want[f"s{seat}.demand"])


def test_moran_view_is_run_r_of_the_moran_kind(tmp_path):
    path = write_toml(tmp_path, MORAN_GRAPH)
    run = next(iter(run_scenario(path).populations.values()))
    shares = run.tables["shares"]
    for r in (0, 2):
        live = step_all(models.LiveMoran(path, run=r))
        rec = live.record()
        want = shares[shares["run"] == r].pivot(index="generation", columns="type", values="share")
        got = rec.set_index("generation")[list(want.columns)]
        assert len(got) == len(want)
        np.testing.assert_allclose(got.to_numpy(), want.to_numpy())
        assert live.graph.number_of_nodes() == 24 and min(d for _, d in live.graph.degree()) >= 1
        fixation = run.tables["fixation"].set_index("run").loc[r]
        assert live.steps == fixation["steps"]


def test_random_matching_view_is_run_r(tmp_path):
    path = write_toml(tmp_path, RANDOM_MATCHING)
    run = next(iter(run_scenario(path).populations.values()))
    live = step_all(models.LiveRandomMatching(path, run=1))
    shares = run.tables["shares"]
    want = shares[shares["run"] == 1].pivot(index="round", columns="type", values="share")
    got = live.record().set_index("round")[list(want.columns)]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy())
    pop = run.tables["population"]
    np.testing.assert_allclose(live.record()["mean_payoff"].to_numpy(), pop[pop["run"] == 1]["mean_payoff"].to_numpy())


@pytest.mark.parametrize("kind,cls", [("ecological", models.LiveEcological), ("replicator", models.LiveReplicator)])
def test_share_dynamics_views_follow_the_run(tmp_path, kind, cls):
    path = write_toml(tmp_path, SHARES.format(kind=kind))
    run = next(iter(run_scenario(path).populations.values()))
    live = step_all(cls(path))
    want = run.tables["shares"].pivot(index="generation", columns="type", values="share")
    got = live.record().set_index("generation")[list(want.columns)]
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        live.record()["mean_payoff"].to_numpy(), run.tables["population"]["mean_payoff"].to_numpy()
    )


# ------------------------------------------------------------------ controls
def test_controls_are_validated_like_the_file(tmp_path):
    path = write_toml(
        tmp_path, MORAN_GRAPH.replace('update = "death_birth"', 'update = "death_birth"\nfitness = "linear"')
    )
    with pytest.raises(ScenarioError, match=r"s\.toml: key 'tournament\.selection_intensity'.*negative"):
        models.LiveMoran(path, selection_intensity=3.0)
    with pytest.raises(ScenarioError, match=r"key 'seed'.*non-negative integer seed, got 'abc'"):
        models.LiveMoran(path, seed="abc")
    with pytest.raises(ScenarioError, match=r"no population 'nope'"):
        models.LiveMoran(path, population="nope")
    m = models.LiveMoran(path, selection_intensity=0.5, mutation=0.01, seed="9")
    assert (m.ctx.intensity, m.ctx.mutation, m.ctx.seed) == (0.5, 0.01, 9)


def test_page_choice_and_controls(tmp_path):
    rr = page_for(write_toml(tmp_path, ROUND_ROBIN.format(noise=0.0)))
    assert rr.page == "round_robin" and rr.model_class is models.LiveRoundRobin
    assert rr.params["seed"] == {"type": "InputText", "label": "seed", "value": "7"}
    assert rr.params["pairing"]["values"][:2] == ["1. tit_for_tat vs random", "2. tit_for_tat vs always_defect"]
    assert page_for(write_toml(tmp_path, ROUND_ROBIN.format(noise=0.0), "b.toml"), "match").page == "match"
    h = page_for(write_toml(tmp_path, HAGGLERS.format(noise=0.0), "h.toml"))
    assert h.page == "match" and h.params["repetition"]["max"] == 1
    assert page_for(write_toml(tmp_path, SWITCHERS, "sw.toml")).page == "match"
    mo = page_for(write_toml(tmp_path, MORAN_GRAPH, "m.toml"))
    assert mo.page == "moran" and mo.render_interval == 24  # one click = one generation of 24 events
    assert mo.params["selection_intensity"]["value"] == 1.0 and mo.params["update"]["value"] == "death_birth"
    for spec in (rr, h, mo):  # every control's initial value is a valid keyword of the model
        spec.model()
    with pytest.raises(TournamentError, match="applies to round-robin scenarios"):
        page_for(write_toml(tmp_path, MORAN_GRAPH, "m2.toml"), "match")


def test_view_command_reports_bad_input_in_one_line(tmp_path):
    bad = write_toml(tmp_path, ROUND_ROBIN.format(noise=0.0).replace('"random"', '"randomm"'))
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tournament.cli import main; sys.exit(main())",
            "view",
            bad,
            "--port",
            "0",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr
    assert "unknown strategy 'randomm'" in proc.stderr


def test_import_tournament_does_not_import_solara():
    code = "import sys, tournament, tournament.cli, tournament.live.models; print('solara' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------ panels (needs the [view] extra)
def _figure_of(element):
    """The matplotlib figure inside a panel (the first FigureMatplotlib in its element tree)."""
    from matplotlib.figure import Figure

    def walk(el):
        for v in list(getattr(el, "args", ())) + list(getattr(el, "kwargs", {}).values()):
            for x in v if isinstance(v, (list, tuple)) else [v]:
                if isinstance(x, Figure):
                    return x
                if hasattr(x, "kwargs"):
                    found = walk(x)
                    if found is not None:
                        return found
        return None

    fig = walk(element)
    assert fig is not None, "no figure in this panel"
    return fig


def _texts(element) -> list[str]:
    out = []

    def walk(el):
        for v in list(getattr(el, "args", ())) + list(getattr(el, "kwargs", {}).values()):
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    walk(x) if not isinstance(x, str) else out.append(x)
            elif hasattr(v, "kwargs"):
                walk(v)

    walk(element)
    return out


@pytest.fixture
def app():
    pytest.importorskip("solara", reason="the panels need the [view] extra (pip install -e '.[view]')")
    from tournament.live import app

    return app


@pytest.mark.slow
def test_round_robin_panels(tmp_path, app):
    import solara

    spec = page_for(write_toml(tmp_path, ROUND_ROBIN.format(noise=0.05)))
    model = spec.model_class(**{**spec.initial(), "pairing": spec.params["pairing"]["values"][4]})
    assert [c.__name__ for c in app.components_for(spec)] == ["rr_summary", "rr_running", "rr_heat_map", "rr_pairing"]
    for _ in range(4):  # seatings (0,1), (0,2), (0,3), (1,2) of repetition 0
        model.step()
    assert "not played yet" in " ".join(_texts(app.rr_pairing(model)))  # seating 5 is (1, 3)
    # heat map: the cells are the mean payoffs of row against column so far, blank if not played
    fig = _figure_of(app.rr_heat_map(model))
    shown = fig.axes[0].images[0].get_array()
    m = model.matches()
    mask = (m["entrant_0"] == "tit_for_tat") & (m["entrant_1"] == "random")
    assert shown[0, 1] == pytest.approx(m.loc[mask, "payoff_0"].mean())
    assert shown[1, 0] == pytest.approx(m.loc[mask, "payoff_1"].mean())
    assert np.ma.is_masked(shown[2, 3]) and np.ma.is_masked(shown[1, 3])
    for _ in range(5):
        model.step()
    # running standings: one line per entrant, one point per match
    lines = _figure_of(app.rr_running(model)).axes[0].lines
    assert len(lines) == 4 and all(len(line.get_xdata()) == 9 for line in lines)
    # chosen pairing (seating 5: random vs always_defect): its actions, one raster row per seat
    img = _figure_of(app.rr_pairing(model)).axes[0].images[0].get_array()
    np.testing.assert_array_equal(img, model.latest[4].rounds["actions"].T)
    # a name with markup stays text: it reaches the page as a plain string
    texts = _texts(app.rr_summary(model))
    assert "Pavlov <b>$x$</b>" in texts and "9 of 18 matches played (6 seatings × 3 repetitions)" in texts
    box, rc = solara.render(app.viz(spec, model), handle_error=False)
    rc.close()


def test_haggler_match_panels(tmp_path, app):
    spec = page_for(write_toml(tmp_path, HAGGLERS.format(noise=0.05)))
    model = spec.model()
    assert [c.__name__ for c in app.components_for(spec)] == ["match_summary", "match_demands", "match_hypotheses"]
    for _ in range(60):
        model.step()
    demands = _figure_of(app.match_demands(model)).axes[0].lines
    np.testing.assert_allclose(demands[0].get_ydata(), model.traces(0)["demand"])
    hyp = _figure_of(app.match_hypotheses(model)).axes[0]
    kinds = {str(c) for s in range(2) for c in model.traces(s)["hypothesis_class"]}
    assert {t.get_text() for t in hyp.get_legend().get_texts()} == kinds
    # one tick per switch of hypothesis (the first choice is not a switch)
    assert sum(len(line.get_xdata()) == 2 for line in hyp.lines) == sum(
        len([r for r, old, _, _ in a.strategy.switches if old is not None]) for a in model.seats
    )
    summary = app.match_summary(model)
    texts = " ".join(_texts(summary))
    assert f"haggler A follows: {model.seats[0].strategy.describe()}" in texts and "round 60 of 60" in texts
    np.testing.assert_array_equal(_figure_of(summary).axes[0].images[0].get_array(), model.actions().T)


def test_switcher_occupancy_panel_against_theory(tmp_path, app):
    from tournament.theory import softmax as sm

    spec = page_for(write_toml(tmp_path, SWITCHERS))
    model = spec.model()  # seating 1: a vs a (alpha 0.3 both): the softmax is the stationary law
    assert app.match_occupancy in app.components_for(spec)
    for _ in range(200):
        model.step()
    ax = _figure_of(app.match_occupancy(model)).axes[0]
    bars = [p.get_height() for p in ax.patches]
    n = model.game.n_profiles
    np.testing.assert_allclose(bars[:n], sm.occupation(model.game, model.actions()))
    np.testing.assert_allclose(bars[2 * n :], sm.softmax_distribution(model.game, 0.3))
    assert "softmax" in " ".join(t.get_text() for t in ax.get_legend().get_texts())
    np.testing.assert_allclose(bars[n : 2 * n], sm.expected_occupation(sm.transition_matrix(model.game, 0.3), 200))
    # two different alphas: no closed form; the exact chain's stationary law (seat floors = lowest payoffs)
    mixed = spec.model_class(**{**spec.initial(), "pairing": "2. a vs b"})
    for _ in range(50):
        mixed.step()
    ax = _figure_of(app.match_occupancy(mixed)).axes[0]
    pi = sm.stationary_distribution(sm.transition_matrix(mixed.game, [0.3, 1.0]))
    np.testing.assert_allclose([p.get_height() for p in ax.patches][2 * n :], pi)
    assert "exact chain" in " ".join(t.get_text() for t in ax.get_legend().get_texts())


def test_moran_graph_panel_colours_nodes_by_type(tmp_path, app):
    from tournament.live.figures import colours

    spec = page_for(write_toml(tmp_path, MORAN_GRAPH))
    model = spec.model()
    for _ in range(30):
        model.step()
    fig = _figure_of(app.moran_graph(model))
    nodes = fig.axes[0].collections[-1]
    want = np.array([colours(2)[t] for t in model.types])
    np.testing.assert_allclose(nodes.get_facecolors(), want)
    shares, payoff = [c for c in app.components_for(spec) if c.__name__ in ("shares", "payoff")]
    lines = _figure_of(shares(model)).axes[0].lines
    np.testing.assert_allclose(lines[0].get_ydata()[-1], model.counts[0] / model.size)


@pytest.mark.parametrize("text", [RANDOM_MATCHING, SHARES.format(kind="ecological"), SHARES.format(kind="replicator")])
def test_population_pages_render(tmp_path, app, text):
    import solara

    spec = page_for(write_toml(tmp_path, text))
    model = spec.model()
    for _ in range(3 * spec.render_interval):
        model.step()
    shares, payoff = app.components_for(spec)
    rec = model.record()
    lines = _figure_of(shares(model)).axes[0].lines
    assert len(lines) == rec.shape[1] - 2
    np.testing.assert_allclose(_figure_of(payoff(model)).axes[0].lines[0].get_ydata(), rec["mean_payoff"])
    box, rc = solara.render(app.viz(spec, model), handle_error=False)
    rc.close()


# ------------------------------------------------------------------ in a real browser, offline
def _pixels(png: bytes, rgb: tuple[int, int, int], tol: int = 12) -> int:
    """Pixels of (about) the colour ``rgb`` in a PNG screenshot."""
    from matplotlib.image import imread

    img = (imread(io.BytesIO(png), format="png")[..., :3] * 255).round()
    return int(np.all(np.abs(img - np.array(rgb)) <= tol, axis=-1).sum())


TAB_BLUE, TAB_ORANGE = (31, 119, 180), (255, 127, 14)


@pytest.mark.slow
def test_page_renders_offline_in_headless_chromium(tmp_path):
    pytest.importorskip("solara", reason="the page needs the [view] extra (pip install -e '.[view]')")
    pytest.importorskip("solara_assets", reason="offline rendering needs solara-assets (the [view] extra)")
    from view_browser import chromium, external, missing, network_log, view_server

    why = missing()
    if why:
        pytest.skip(why)
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    path = write_toml(tmp_path, MORAN_GRAPH)

    def step_button(d):
        found = [b for b in d.find_elements(By.TAG_NAME, "button") if b.text.strip().lower() == "step"]
        return found[0] if found and found[0].is_enabled() else False

    def summary(d):  # read in one script: the panel may be re-rendered at any moment
        return d.execute_script(
            "return Array.from(document.querySelectorAll('.tv-graph')).map(e => e.innerText).join(' ')"
        )

    def fresh(fn, tries: int = 10):
        """``fn()``, again if the element it used was replaced by a re-render meanwhile."""
        for i in range(tries):
            try:
                return fn()
            except StaleElementReferenceException:
                if i == tries - 1:
                    raise
                time.sleep(0.3)

    def drawn(d, panel):
        imgs = d.find_elements(By.CSS_SELECTOR, f".tv-{panel} img")
        ok = imgs and d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 100", imgs[0])
        return imgs[0] if ok else False

    def button(d, label):
        found = [b for b in d.find_elements(By.TAG_NAME, "button") if b.text.strip() == label]
        return found[0] if found and found[0].is_enabled() else False

    def events(d, text: str | None = None) -> int:
        import re

        found = re.search(r"Run 0: (\d+) events", summary(d) if text is None else text)
        return int(found.group(1)) if found else -1

    def settled(d) -> str:
        """The summary once two reads a second apart agree (no render in between)."""
        while True:
            first = summary(d)
            time.sleep(1.0)
            if summary(d) == first:
                return first

    def same_as_the_model(d, seed=None) -> None:
        """The counts on the page are those of the CLI's model after as many events."""
        text = settled(d)
        model = models.LiveMoran(path, seed=seed)
        for _ in range(events(d, text)):
            model.step()
        counts = ", ".join(f"{t} {c}" for t, c in zip(model.ctx.types, model.counts.tolist()))
        assert f"Counts: {counts}" in text

    with view_server(path) as url, chromium() as driver:
        driver.get(url)
        wait = WebDriverWait(driver, 90, ignored_exceptions=(StaleElementReferenceException,))
        wait.until(step_button)
        wait.until(lambda d: "Run 0: 0 events" in summary(d))
        before = fresh(lambda: wait.until(lambda d: drawn(d, "graph")).get_attribute("src"))
        fresh(lambda: wait.until(step_button).click())  # one click = Render Interval events (about a generation)
        wait.until(lambda d: events(d) > 0)
        wait.until(lambda d: drawn(d, "graph") and drawn(d, "graph").get_attribute("src") != before)
        time.sleep(1.0)  # let the last image of this render arrive
        assert fresh(lambda: drawn(driver, "graph").get_attribute("src")).startswith("blob:http://127.0.0.1")
        g_png = fresh(lambda: wait.until(lambda d: drawn(d, "graph")).screenshot_as_png)
        s_png = fresh(lambda: wait.until(lambda d: drawn(d, "shares")).screenshot_as_png)
        # both types' nodes on the graph, both types' lines on the shares chart
        assert _pixels(g_png, TAB_BLUE) > 200 and _pixels(g_png, TAB_ORANGE) > 200
        assert _pixels(s_png, TAB_BLUE) > 50 and _pixels(s_png, TAB_ORANGE) > 50
        assert "24 individuals" in summary(driver)
        same_as_the_model(driver)
        # text from the scenario file is shown as text, never parsed as HTML
        assert "moran <i>on</i> a ring" in driver.find_element(By.TAG_NAME, "body").text
        if os.environ.get("TOURNAMENT_VIEW_SCREENSHOT"):  # e.g. docs/live_view.png
            driver.save_screenshot(os.environ["TOURNAMENT_VIEW_SCREENSHOT"])
        # play, then pause: the model runs on by itself
        stepped = events(driver)
        fresh(lambda: wait.until(lambda d: button(d, "▶")).click())
        wait.until(lambda d: events(d) >= stepped + 48)
        fresh(lambda: wait.until(lambda d: button(d, "❚❚")).click())
        wait.until(step_button)
        same_as_the_model(driver)

        # a new seed, then Reset: a new model with that seed, back at 0 events
        def new_seed():
            box = driver.find_element(By.XPATH, "//label[normalize-space()='seed']/following-sibling::input")
            box.send_keys(Keys.CONTROL, "a")
            box.send_keys("6\n")

        assert "seed 5," in summary(driver)
        fresh(new_seed)
        fresh(lambda: wait.until(lambda d: button(d, "RESET")).click())
        wait.until(lambda d: "seed 6," in summary(d) and events(d) == 0)
        fresh(lambda: wait.until(step_button).click())
        wait.until(lambda d: events(d) > 0)
        same_as_the_model(driver, seed=6)
        urls, failed = network_log(driver)
    assert any(u.startswith(url + "_solara/cdn/") for u in urls), "the front end did not come from the local assets"
    assert external(urls) == [], f"requests left 127.0.0.1: {external(urls)}"
    assert [f for f in failed if not f[0].startswith("blob:")] == []
