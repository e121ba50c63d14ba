"""Scenarios: what a run is asked to do. :mod:`.spec` holds the dataclasses (``Scenario``,
``Population``, ``EntrantSpec``, ``MatchSettings``), :mod:`.load` loads and validates a TOML
file or dict into them, with the typed key access and name checks of :mod:`.validation`, the
``[sweep]`` expansion of :mod:`.sweep` and the size check of :mod:`.sizes` (a run that cannot
fit is refused before anything runs).

The names below are imported on first use.
"""

from ..plugins import lazy_exports

_EXPORTS = {
    "EntrantSpec": ".spec",
    "MatchSettings": ".spec",
    "Population": ".spec",
    "Scenario": ".spec",
    "default_entrant_name": ".spec",
    "REPORT_KEYS": ".load",
    "load_scenario": ".load",
    "parse_scenario": ".load",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
