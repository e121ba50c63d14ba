"""Strategies: the base class, the view a strategy receives, the registry and every built-in
strategy. Writing, testing and entering a strategy: ``docs/strategies.md``;
:mod:`strategies.testing` holds the test harness.

>>> import strategies
>>> strategies.get("tit_for_tat")
TitForTat()
"""

from tournament.view import MatchView

from .base import Strategy
from .registry import build, get, names, register, registered, resolve

__all__ = ["MatchView", "Strategy", "build", "get", "names", "register", "registered", "resolve"]
