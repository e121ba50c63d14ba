"""Report sections on *why* an outcome happened, for strategies that say so (the haggler):

- "Hypothesis spaces": per entrant and seat, the hypothesis counts per class, the sizes used
  and any cut the hypothesis budget forced (``strategy_setup`` in ``summary.json``);
- "Mechanism": per outcome of the settled matches, the hypothesis class each haggler
  followed over the stable cycle (the ``mechanism_i`` columns of ``matches.csv``), so a
  reader sees whether e.g. a coordination came from password hypotheses or from ⊤.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..analysis.mechanism import UNSETTLED, mechanism_seats
from .sections import ReportContext, Section, markdown_table, section

ORDER = 47  # after the coalitions, before the demand trajectories
CLASSES = ("top", "constant", "automaton", "loop", "password", "custom")
SHOWN = {"top": "⊤"}
MAX_ROWS = 30


def _show(mech: str) -> str:
    return ">".join(SHOWN.get(part, part) for part in str(mech).split(">"))


@section
def spaces_section(ctx: ReportContext) -> Section | None:
    setup = ctx.summary.get("strategy_setup") or {}
    rows = []
    for name, groups in setup.items():
        for g in groups:
            if "by_class" not in g:
                continue
            row = {
                "entrant": name,
                "seats": ",".join(str(s) for s in g["seats"]),
                "prior": g.get("prior", ""),
                "tie break": g.get("tie_break", ""),
                "N": g.get("max_password"),
                "M": g.get("max_loop"),
                "m": g.get("max_automaton"),
                "budget cut": g.get("cut") or "none",
            }
            row.update({SHOWN.get(c, c): int(g["by_class"].get(c, 0)) for c in CLASSES})
            row["total"] = int(g.get("hypotheses", sum(g["by_class"].values())))
            rows.append(row)
    if not rows:
        return None
    cut = any(r["budget cut"] != "none" for r in rows)
    md = (
        "Hypotheses per class as generated for each agent and seat (N: passwords of 0…N own actions, "
        "M: loops of 1…M pairs, m: automata of 2…m states; a *loop* is a password hypothesis with an "
        "empty password). The agent then drops those never worth more than ⊤."
    )
    if cut:
        md += (
            " The hypothesis budget (`max_hypotheses`) forced a cut: every preset is cut to the same "
            "ceiling for a seat, so cautious ⊆ default ⊆ ambitious still holds (presets may coincide)."
        )
    md += "\n\n" + markdown_table(pd.DataFrame(rows))
    return Section("Hypothesis spaces", md, order=ORDER - 1)


def _outcome(row: pd.Series, k: int) -> str:
    if not bool(row.get("settled")):
        return UNSETTLED
    return "(" + ", ".join(f"{float(row[f'cycle_payoff_{i}']):.3g}" for i in range(k)) + ")"


@section
def mechanism_section(ctx: ReportContext) -> Section | None:
    m = ctx.matches
    if m.empty:
        return None
    seats = mechanism_seats(m)
    if not seats:
        return None
    if "status" in m:
        m = m[m["status"] == "ok"]
    k = ctx.game.n_players
    mech = m[[f"mechanism_{s}" for s in seats]].astype(object).fillna("").astype(str)
    has = (mech != "").any(axis=1)
    m, mech = m[has], mech[has]
    if m.empty:
        return None
    outcome = m.apply(lambda r: _outcome(r, k), axis=1)
    joint = mech.apply(lambda r: " · ".join(_show(v) if v else "–" for v in r), axis=1)
    # compact: per outcome, the class each haggler seat ended the cycle on
    compact = []
    for out, idx in outcome.groupby(outcome).groups.items():
        final = Counter(v.split(">")[-1] for v in mech.loc[idx].to_numpy().ravel() if v)
        compact.append(
            {
                "outcome (cycle payoffs)": out,
                "matches": len(idx),
                "share": len(idx) / len(m),
                "haggler seats ending on": ", ".join(f"{_show(c)} {n}" for c, n in final.most_common()),
            }
        )
    compact = pd.DataFrame(compact).sort_values(["matches", "outcome (cycle payoffs)"], ascending=[False, True])
    table = (
        pd.DataFrame({"outcome (cycle payoffs)": outcome, "mechanism by seat": joint})
        .value_counts()
        .rename("matches")
        .reset_index()
    )
    table["share"] = table["matches"] / len(m)
    table = table.sort_values(["matches", "outcome (cycle payoffs)"], ascending=[False, True])
    shown = table.head(MAX_ROWS)
    settled = m["settled"].astype(bool)
    cells = mech[settled].to_numpy().ravel()
    cells = [c for c in cells if c]
    on_top = sum(c.split(">")[-1] == "top" for c in cells)
    md = (
        f"What held each outcome in place: per seat, the class of the hypothesis the haggler "
        f"followed over the stable cycle (from its onset to the end of the match; `a>b` when the "
        f"class changed within the cycle, in order; `{UNSETTLED}` when the match did not settle; "
        f"– for seats that are not hagglers). Over the settled matches, {on_top} of {len(cells)} "
        f"haggler seats ended the cycle on ⊤ (the hypothesis that is never falsified: its policy is "
        f"a maximin action, not a haggled agreement).\n\n"
    )
    md += markdown_table(compact.head(MAX_ROWS), floatfmt="{:.2f}")
    md += f"\n\nBy seat (0…{k - 1}):\n\n" + markdown_table(shown, floatfmt="{:.2f}")
    if len(table) > MAX_ROWS:
        md += f"\n\n({len(table) - MAX_ROWS} rarer combinations not shown; all are in matches.csv.)"
    return Section("Mechanism", md, order=ORDER)
