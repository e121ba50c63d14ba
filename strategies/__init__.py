"""Strategies: the base class, the registry and every built-in strategy.

>>> import strategies
>>> strategies.get("tit_for_tat")
TitForTat()
"""

from .base import Strategy
from .registry import build, get, names, register, registered, resolve

__all__ = ["Strategy", "build", "get", "names", "register", "registered", "resolve"]
