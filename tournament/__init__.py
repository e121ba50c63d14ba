"""Agent-based repeated-game tournaments on Mesa.

>>> import tournament, strategies
>>> g = tournament.games.get("prisoners_dilemma")
>>> m = tournament.play_match(g, ["tit_for_tat", "alternator"], turns=6, seed=1)
>>> m.actions.tolist()
[[0, 0], [0, 1], [1, 0], [0, 1], [1, 0], [0, 1]]
"""

from . import analysis, games
from .errors import GameError, ScenarioError, StrategyError, TournamentError
from .game import Game
from .match import MatchModel, MatchResult, play_match
from .runner import RunResult, run_scenario
from .scenario import Scenario, load_scenario
from .view import MatchView

__all__ = [
    "Game", "GameError", "MatchModel", "MatchResult", "MatchView", "RunResult", "Scenario", "ScenarioError",
    "StrategyError", "TournamentError", "analysis", "games", "load_scenario", "play_match", "run_scenario",
]
__version__ = "0.1.0"
