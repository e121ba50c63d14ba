"""Which page a scenario gets and its controls (Mesa ``model_params``), without Solara.

Pages: ``round_robin`` (standings, heat map, a pairing's actions), ``match`` (one match round
by round: hagglers' demands and hypotheses, switchers' occupancy against the theory),
``moran``, ``random_matching``, ``ecological``, ``replicator``. A round-robin scenario opens
the match page when every entrant is a haggler or every entrant is a softmax switcher (the
questions there are about single matches), else the tournament page; ``which`` overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TournamentError
from ..kinds.population import initial_counts, types_of
from ..scenario.load import load_scenario
from ..scenario.spec import Scenario
from . import models

PAGES = ("auto", "tournament", "match")


@dataclass
class PageSpec:
    """What the page shows: the model class, its Mesa ``model_params`` and the page settings."""

    page: str  # round_robin | match | moran | random_matching | ecological | replicator
    model_class: type
    params: dict[str, Any]
    title: str
    render_interval: int = 1
    play_interval: int = 100
    notes: list[str] = field(default_factory=list)

    def initial(self) -> dict[str, Any]:
        """The model's keyword arguments for the controls' initial values."""
        return {k: v["value"] if isinstance(v, dict) and "type" in v else v for k, v in self.params.items()}

    def model(self):
        return self.model_class(**self.initial())


def _slider_int(label: str, value: int, low: int, high: int, step: int = 1) -> dict:
    return {
        "type": "SliderInt",
        "label": label,
        "value": int(value),
        "min": int(low),
        "max": int(max(high, value)),
        "step": int(step),
    }


def _slider_float(label: str, value: float, low: float, high: float, step: float) -> dict:
    return {
        "type": "SliderFloat",
        "label": label,
        "value": float(value),
        "min": float(low),
        "max": float(max(high, value)),
        "step": float(step),
    }


def _select(label: str, value: str, values: list[str]) -> dict:
    return {"type": "Select", "label": label, "value": value, "values": list(values)}


def strategy_family(scenario: Scenario) -> str | None:
    """ "haggler" or "switcher" when every entrant of the first population is one, else None."""
    from strategies.haggler.agent import IBHaggler
    from strategies.softmax_switcher import SoftmaxSwitcher

    classes = [spec.strategy_class() for spec in scenario.populations[0].entrants]
    if all(issubclass(c, IBHaggler) for c in classes):
        return "haggler"
    if all(issubclass(c, SoftmaxSwitcher) for c in classes):
        return "switcher"
    return None


def page_for(scenario_file: str | Path, which: str = "auto") -> PageSpec:
    """The page of a scenario file (``which``: auto | tournament | match; the last two apply to
    round-robin scenarios)."""
    if which not in PAGES:
        raise TournamentError(f"unknown page {which!r}; use one of {', '.join(PAGES)}")
    path = str(scenario_file)
    scenario = load_scenario(path)
    kind = scenario.kind
    if which != "auto" and kind != "round_robin":
        raise TournamentError(f"{path}: --page {which} applies to round-robin scenarios; this one is {kind!r}")
    pop_names = [p.name for p in scenario.populations]
    params: dict[str, Any] = {"scenario_file": path}
    params["population"] = _select("population", pop_names[0], pop_names) if len(pop_names) > 1 else ""
    params["seed"] = {"type": "InputText", "label": "seed", "value": str(scenario.seed)}
    m = scenario.match
    st = scenario.settings
    first = scenario.with_population(scenario.populations[0])

    def turns_control(label: str = "turns") -> None:
        if m.turns is not None:
            params["turns"] = _slider_int(label, m.turns, 1, max(2 * m.turns, 10), max(1, m.turns // 100))

    def noise_control() -> None:
        params["noise"] = _slider_float("noise", m.noise, 0.0, 0.5, 0.005)

    title = scenario.name
    if kind == "round_robin":
        family = strategy_family(scenario)
        page = (
            ("match" if family else "round_robin")
            if which == "auto"
            else ("match" if which == "match" else "round_robin")
        )
        labels = models.seating_labels(first)
        if not labels:
            raise TournamentError(f"{path}: the round robin has no seating to show")
        turns_control()
        noise_control()
        params["pairing"] = _select("pairing", labels[0], labels)
        if page == "match":
            params["repetition"] = _slider_int("repetition", 0, 0, scenario.repetitions - 1)
            every = max(1, (m.turns or 100) // 100)
            return PageSpec("match", models.LiveMatch, params, f"{title}: one match", render_interval=every)
        params["repetitions"] = _slider_int("repetitions", scenario.repetitions, 1, max(2 * scenario.repetitions, 10))
        return PageSpec("round_robin", models.LiveRoundRobin, params, title)
    if kind == "moran":
        params["run"] = _slider_int("run", 0, 0, st["runs"] - 1)
        w = st["selection_intensity"]
        params["selection_intensity"] = _slider_float("intensity of selection", w, 0.0, max(5.0, 2 * w), 0.05)
        params["mutation"] = _slider_float("mutation", st["mutation"], 0.0, 0.2, 0.005)
        params["update"] = _select("update", st["update"], ["birth_death", "death_birth"])
        turns_control("turns per match")
        size = int(initial_counts(st, types_of(first.populations[0])).sum())
        return PageSpec("moran", models.LiveMoran, params, title, render_interval=max(1, size))
    if kind == "random_matching":
        params["run"] = _slider_int("run", 0, 0, st["runs"] - 1)
        turns_control("rounds per generation")
        noise_control()
        w = st["selection_intensity"]
        params["selection_intensity"] = _slider_float("intensity of selection", w, 0.0, max(5.0, 2 * w), 0.05)
        params["mutation"] = _slider_float("mutation", st["mutation"], 0.0, 0.2, 0.005)
        params["generations"] = _slider_int("generations", st["generations"], 1, max(2 * st["generations"], 10))
        return PageSpec(
            "random_matching", models.LiveRandomMatching, params, title, render_interval=max(1, st["record_every"])
        )
    if kind in ("ecological", "replicator"):
        turns_control("turns per match")
        noise_control()
        params["repetitions"] = _slider_int("repetitions", scenario.repetitions, 1, max(2 * scenario.repetitions, 10))
        gens = st["generations"]
        params["generations"] = _slider_int("generations", gens, 1, max(2 * gens, 10), max(1, gens // 100))
        if kind == "ecological":
            low = float(scenario.game.payoffs.min())
            b = st["background_fitness"]
            params["background_fitness"] = _slider_float("background fitness", b, max(0.0, -low), max(10.0, 2 * b), 0.1)
            return PageSpec("ecological", models.LiveEcological, params, title)
        params["step"] = _slider_float("Euler step", st["step"], 0.01, max(1.0, st["step"]), 0.01)
        return PageSpec("replicator", models.LiveReplicator, params, title, render_interval=max(1, gens // 100))
    raise TournamentError(f"{path}: the live view has no page for kind {kind!r}")  # pragma: no cover
