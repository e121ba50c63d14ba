"""The scenario's ``[analysis]`` settings and the settled rule they define (no analysis code
here: the scenario loader reads these without loading pandas or scipy)."""

from __future__ import annotations

#: the scenario's ``[analysis]`` table: key -> (type, default, description)
ANALYSIS_KEYS: dict[str, tuple] = {
    "cycle_min_repeats": (int, 3, "a stable cycle must repeat at least this many times at the end (>= 2)"),
    "cycle_min_tail": (float, 0.25, "...and its periodic tail must cover at least this fraction of the rounds"),
    "coalition_outsiders": (
        str,
        "correlated",
        "U'_C 'correlated' (outsiders see the group's action) or U_C 'independent'",
    ),
}


DEFAULTS: dict = {key: default for key, (_typ, default, _doc) in ANALYSIS_KEYS.items()}


def settled_rule(settings: dict | None = None) -> dict:
    """The rule a match had to meet to count as settled, for ``summary.json`` and the report."""
    s = {**DEFAULTS, **(settings or {})}
    reps, tail = int(s["cycle_min_repeats"]), float(s["cycle_min_tail"])
    text = f"from some round on, the joint play repeats one cycle to the end of the match, at least {reps} times" + (
        f" and over at least {tail:.0%} of the rounds" if tail > 0 else ""
    )
    return {"cycle_min_repeats": reps, "cycle_min_tail": tail, "text": text}
