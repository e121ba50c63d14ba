"""The mechanism column: which hypothesis class each haggler followed over the stable cycle,
on hand-built matches whose answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd

import tournament
from strategies.base import Strategy
from strategies.haggler import IBHaggler
from tournament.analysis.mechanism import mechanism_columns, mechanism_counts
from tournament.execution.tasks import MatchTask, row_for

PD = tournament.games.get("prisoners_dilemma")
C, D = 0, 1


def _haggler(password: tuple[int, ...], loop: tuple[tuple[int, int], ...], **kw) -> IBHaggler:
    """A haggler holding ⊤ and one password hypothesis (a weight function drops the rest)."""
    pcode = lcode = 0
    for a in password:
        pcode = pcode * 2 + a
    for a, o in loop:
        lcode = lcode * 4 + a * 2 + o

    def weight(catalog: pd.DataFrame) -> np.ndarray:
        one = (
            (catalog["kind"] == "password")
            & (catalog["password_length"] == len(password))
            & (catalog["loop_length"] == len(loop))
            & (catalog["password_code"] == pcode)
            & (catalog["loop_code"] == lcode)
        )
        return ((catalog["kind"] == "top") | one).to_numpy(dtype=float)

    return IBHaggler(
        classes=["top", "password"], max_password=len(password), max_loop=len(loop), prune=False, weight=weight, **kw
    )


def _row(m) -> dict:
    task = MatchTask(match_id=0, repetition=0, seating=tuple(range(len(m.names))))
    return row_for(m, task, m.names)


def test_a_password_pair_settles_on_password_hypotheses():
    """Both hold only ⊤ and "password C then loop (C,C)": both play C, both hypotheses hold."""
    a = _haggler((C,), ((C, C),))
    b = _haggler((C,), ((C, C),))
    m = tournament.play_match(PD, [a, b], turns=60, seed=1)
    assert np.all(m.actions == C)
    assert [s.describe() for s in m.strategies] == ["password C then loop (C,C)"] * 2
    row = _row(m)
    assert row["settled"] and row["cycle_onset"] == 0
    assert (row["mechanism_0"], row["mechanism_1"]) == ("password", "password")


def test_top_against_a_classic_and_a_password_that_falls_to_top():
    # ⊤ alone in the PD: maximin is D (worth 1); the other seat is no haggler -> empty
    m = tournament.play_match(PD, [IBHaggler(classes=["top"]), "always_defect"], turns=40, seed=0)
    row = _row(m)
    assert row["settled"] and (row["mechanism_0"], row["mechanism_1"]) == ("top", "")
    # a password haggler against ⊤: C (password), C (loop: expects C, sees D) -> falsified,
    # from round 2 on ⊤ and (D,D) for ever: the cycle is held by ⊤ on both seats
    m = tournament.play_match(PD, [_haggler((C,), ((C, C),)), IBHaggler(classes=["top"])], turns=40, seed=0)
    assert m.actions[:3, 0].tolist() == [C, C, D] and np.all(m.actions[:, 1] == D)
    assert [s[0] for s in m.strategies[0].switches] == [0, 2]
    row = _row(m)
    assert row["cycle_onset"] == 2 and (row["mechanism_0"], row["mechanism_1"]) == ("top", "top")


def test_a_class_change_inside_the_cycle_is_listed_in_order():
    """The mechanism is read from the cycle's onset: a hypothesis adopted before the onset
    and replaced inside the cycle shows both classes."""
    m = tournament.play_match(PD, [_haggler((C,), ((C, C),)), IBHaggler(classes=["top"])], turns=40, seed=0)
    agent = m.strategies[0]
    assert agent.mechanism(0) == "password>top" and agent.mechanism(1) == "password>top"
    assert agent.mechanism(2) == "top" and agent.mechanism(39) == "top"
    # a loop is a password hypothesis with an empty password
    loop = _haggler((), ((D, C),))
    m = tournament.play_match(PD, [loop, "always_cooperate"], turns=30, seed=0)
    assert m.strategies[0].describe() == "loop (D,C)"
    assert _row(m)["mechanism_0"] == "loop"


def test_unsettled_matches_and_matches_without_hagglers():
    m = tournament.play_match(PD, [IBHaggler(classes=["top"]), "random"], turns=300, seed=3)
    row = _row(m)
    assert not row["settled"] and row["mechanism_0"] == "unsettled" and row["mechanism_1"] == ""
    m = tournament.play_match(PD, ["tit_for_tat", "always_defect"], turns=20, seed=0)
    assert mechanism_columns(m, _row(m)) == {} and "mechanism_0" not in _row(m)


class _Echo(Strategy):
    """Plays C, then whatever seat 0 played last (a test opponent)."""

    stochastic = False

    def choose(self, view):
        return 0 if view.round == 0 else int(view.last_actions[0])


def test_the_column_in_matches_csv_summary_and_report(tmp_path):
    scenario = {
        "name": "mechanism",
        "seed": 2,
        "game": {"name": "prisoners_dilemma"},
        "tournament": {"turns": 400, "repetitions": 2},
        "entrants": [
            {"strategy": "ib_haggler", "name": "haggler"},
            {"strategy": "always_defect"},
            {"strategy": _Echo, "name": "echo"},
        ],
    }
    r = tournament.run_scenario(scenario, out=tmp_path)
    csv = pd.read_csv(tmp_path / "matches.csv", keep_default_na=False)
    assert {"mechanism_0", "mechanism_1"} <= set(csv.columns)
    for seat in (0, 1):
        hag = csv[f"entrant_{seat}"] == "haggler"
        assert set(csv.loc[~hag, f"mechanism_{seat}"]) == {""}
        assert set(csv.loc[hag, f"mechanism_{seat}"]) <= {
            "top",
            "constant",
            "automaton",
            "loop",
            "password",
            "unsettled",
        } | {x for x in csv[f"mechanism_{seat}"] if ">" in x}
    # against always-defect the default haggler ends on (D,D); its hypothesis "others always play D"
    vs_d = csv[(csv.entrant_0 == "haggler") & (csv.entrant_1 == "always_defect")]
    assert (vs_d.cycle_payoff_0 == 1.0).all() and (vs_d.mechanism_0 != "").all()
    counts = r.summary["mechanisms"]["haggler"]
    assert sum(counts.values()) == int((csv.entrant_0 == "haggler").sum() + (csv.entrant_1 == "haggler").sum())
    assert counts == mechanism_counts(csv)["haggler"]
    report = (tmp_path / "report.md").read_text()
    assert "## Mechanism" in report and "| outcome (cycle payoffs) | mechanism by seat | matches | share |" in report
