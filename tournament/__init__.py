"""Agent-based repeated-game tournaments on Mesa.

>>> import tournament, strategies
>>> g = tournament.games.get("prisoners_dilemma")
>>> m = tournament.play_match(g, ["tit_for_tat", "alternator"], turns=6, seed=1)
>>> m.actions.tolist()
[[0, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]]

The names below are imported on first use (PEP 562): ``import tournament`` (and importing any
of its light modules, e.g. ``tournament.game``) loads none of the heavier parts — Mesa,
pandas, the tournament kinds — until they are needed. See docs/architecture.md for the layout.
"""

from .plugins import lazy_exports

#: public name -> the module that defines it (relative to this package)
_EXPORTS = {
    "Game": ".game",
    "GameError": ".errors",
    "MatchModel": ".engine.match",
    "MatchResult": ".engine.result",
    "MatchView": ".view",
    "RunResult": ".runner",
    "Scenario": ".scenario.spec",
    "ScenarioError": ".errors",
    "StrategyError": ".errors",
    "TournamentError": ".errors",
    "analysis": ".analysis",
    "games": ".games",
    "load_scenario": ".scenario.load",
    "play_match": ".engine.match",
    "run_scenario": ".runner",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
