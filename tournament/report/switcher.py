"""Report section "Softmax switchers": matches where every seat is a softmax switcher
(seed 000), against the exact theory of :mod:`tournament.theory.softmax`.

For each seating of switchers (α per seat) over the matches whose rounds were kept:

- common-payoff games: the share of rounds at the optimum — observed, the exact expectation
  for matches of that length started (as the switchers start) from the uniform distribution,
  and the stationary value π(optimal) that the seed's Theorem 1 is about; and the
  *exploration cost*: the rounds until the optimum is first played, observed against the
  exact first-passage distribution. Plots against α for the seatings with one α.
- any small game: the share of rounds per profile, observed against the exact expectation
  (e.g. the prisoner's dilemma's drift to mutual defection).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..game import Game
from ..theory import softmax as sm
from .sections import ReportContext, Section, markdown_table, section

ORDER = 60
MAX_PROFILES = 4096  # larger games: no exact chain in the report
MAX_PROFILE_COLUMNS = 16  # profile table only for games with at most this many profiles
ALPHA_GRID = 41


@dataclass(frozen=True)
class Seating:
    """The switchers' parameters per seat (u_min resolved to a number)."""

    alphas: tuple[float, ...]
    floors: tuple[float, ...]

    @property
    def homogeneous(self) -> bool:
        return len(set(self.alphas)) == 1 and len(set(self.floors)) == 1

    def label(self) -> str:
        if len(set(self.alphas)) == 1:
            return f"α={self.alphas[0]:g}"
        return "α=(" + ", ".join(f"{a:g}" for a in self.alphas) + ")"


def switcher_entrants(ctx: ReportContext) -> dict[str, tuple[float, float | None]]:
    """Entrant name → (α, u_min) for the entrants that are softmax switchers."""
    from strategies import registry
    from strategies.softmax_switcher import SoftmaxSwitcher

    source = ctx.summary.get("source")
    base = Path(source).parent if source else None
    out = {}
    for e in ctx.summary.get("entrants", []):
        try:
            cls = registry.resolve(e["strategy"], base)
            if not issubclass(cls, SoftmaxSwitcher):
                continue
            inst = cls(**e.get("params", {}))
        except Exception:  # noqa: BLE001 - not resolvable here: not ours to report
            continue
        out[e["name"]] = (float(inst.alpha), inst.u_min)
    return out


def switcher_matches(ctx: ReportContext) -> list[tuple[int, Seating]]:
    """(match id, seating) of the kept matches in which every seat is a switcher."""
    params = switcher_entrants(ctx)
    matches = ctx.matches
    if not params or matches.empty:
        return []
    game = ctx.game
    k = game.n_players
    lowest = game.payoff_vectors.min(axis=0)
    rounds = ctx.rounds
    out = []
    for row in matches.itertuples(index=False):
        names = [getattr(row, f"entrant_{i}") for i in range(k)]
        if int(row.match_id) not in rounds or not all(n in params for n in names):
            continue
        alphas = tuple(params[n][0] for n in names)
        floors = tuple(
            float(lowest[i]) if (u_min := params[n][1]) is None else float(u_min) for i, n in enumerate(names)
        )
        out.append((int(row.match_id), Seating(alphas, floors)))
    return out


# ------------------------------------------------------------------ per-match statistics
def first_hit(mask: np.ndarray) -> int:
    """Index of the first True (len(mask) if none): the rounds before the target is first played."""
    return int(np.argmax(mask)) if mask.any() else len(mask)


def optimum_table(game: Game, groups: dict[Seating, list[np.ndarray]], noise: float) -> pd.DataFrame:
    """Per seating: observed and exact share of rounds at the optimum and rounds to reach it."""
    opt = sm.optimal_profiles(game)
    rows = []
    for seat, runs in groups.items():
        P = sm.transition_matrix(game, seat.alphas, seat.floors, noise=noise)
        pi = (
            sm.softmax_distribution(game, seat.alphas[0])
            if seat.homogeneous and noise == 0
            else sm.stationary_distribution(P)
        )
        shares, times, reached, exp_share, exp_time, exp_reached = [], [], [], [], [], []
        theory = _theory_by_horizon(P, opt, {len(r) for r in runs})
        for acts in runs:
            at = np.isin(acts @ game.strides, opt)
            T = len(acts)
            shares.append(at.mean())
            tau = first_hit(at)
            times.append(tau)
            reached.append(tau < T)
            e_share, e_time, e_reached = theory[T]
            exp_share.append(e_share)
            exp_time.append(e_time)
            exp_reached.append(e_reached)
        n = len(runs)
        se = float(np.std(shares, ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
        rows.append(
            {
                "seating": seat.label(),
                "matches": n,
                "rounds": int(np.mean([len(r) for r in runs])),
                "at optimum": float(np.mean(shares)),
                "se (share)": se,
                "at optimum (exact)": float(np.mean(exp_share)),
                "stationary π(opt)": float(pi[opt].sum()),
                "rounds to optimum": float(np.mean(times)),
                "se (rounds)": float(np.std(times, ddof=1) / math.sqrt(n)) if n > 1 else float("nan"),
                "rounds to optimum (exact)": float(np.mean(exp_time)),
                "E[τ] (no end)": sm.hitting_time(P, opt),
                "reached": float(np.mean(reached)),
                "reached (exact)": float(np.mean(exp_reached)),
                "_alpha": seat.alphas[0] if seat.homogeneous else None,
            }
        )
    return pd.DataFrame(rows)


def _theory_by_horizon(P, opt: np.ndarray, horizons) -> dict[int, tuple[float, float, float]]:
    """For each match length T: exact expected share at the optimum, E[min(τ, T)], P(τ < T)."""
    longest = max(horizons)
    at_opt = np.cumsum(sm.target_probabilities(P, opt, longest))  # Σ_{t<T} P(a_t optimal)
    cdf = sm.hitting_time_cdf(P, opt, longest)
    not_yet = np.cumsum(1 - cdf)  # E[min(τ, T)] = Σ_{t<T} P(τ > t)
    return {T: (float(at_opt[T - 1] / T), float(not_yet[T - 1]), float(cdf[T - 1])) for T in horizons}


def profile_table(game: Game, groups: dict[Seating, list[np.ndarray]], noise: float) -> pd.DataFrame:
    """Per seating: observed share of rounds per profile, with the exact expectation in brackets."""
    rows = []
    labels = [game.label(p) for p in game.profile_array]
    for seat, runs in groups.items():
        P = sm.transition_matrix(game, seat.alphas, seat.floors, noise=noise)
        lengths = np.array([len(r) for r in runs])
        total = int(lengths.sum())
        observed = np.asarray(sum(sm.occupation(game, r) * len(r) for r in runs)) / total
        # Σ_{t<T} μ_t for every match length T at once (few profiles: the path is small)
        cumulative = np.cumsum(sm.distribution_path(P, int(lengths.max())), axis=0)
        expected = cumulative[lengths - 1].sum(axis=0) / total
        row = {"seating": seat.label(), "matches": len(runs)}
        for lab, o, e in zip(labels, observed, expected):
            row[lab] = f"{o:.3f} ({e:.3f})"
        row["TV distance"] = 0.5 * float(np.abs(observed - expected).sum())
        rows.append(row)
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ plots
def _figure(width: float, height: float):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def plot_alpha(game: Game, table: pd.DataFrame, horizon: int, path: Path, epsilon: float | None = None) -> Path:
    """Share at the optimum and rounds to reach it against α: observed points, exact curves."""
    homo = table.dropna(subset=["_alpha"]).sort_values("_alpha")
    opt = sm.optimal_profiles(game)
    grid = np.linspace(0.0, 1.15 * max(float(homo["_alpha"].max()), 1e-3), ALPHA_GRID)
    stat, finite, trunc, full = [], [], [], []
    for a in grid:
        P = sm.transition_matrix(game, a)
        stat.append(float(sm.softmax_distribution(game, a)[opt].sum()))
        finite.append(float(sm.expected_occupation(P, horizon)[opt].sum()))
        trunc.append(float((1 - sm.hitting_time_cdf(P, opt, horizon)).sum()))
        full.append(sm.hitting_time(P, opt))
    fig = _figure(10, 4)
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(grid, stat, label="stationary softmax π(optimal)")
    ax1.plot(grid, finite, label=f"exact expectation, {horizon} rounds from uniform start")
    ax1.errorbar(
        homo["_alpha"],
        homo["at optimum"],
        yerr=2 * homo["se (share)"].fillna(0),
        fmt="o",
        color="k",
        label="observed (± 2 se)",
    )
    if epsilon is not None:
        for bound, style, what in (
            (sm.alpha_for_suboptimality(game, epsilon), ":", "seed's bound"),
            (sm.exact_alpha_for_suboptimality(game, epsilon), "--", "exact"),
        ):
            if bound <= grid[-1]:
                ax1.axvline(
                    bound, color="grey", ls=style, lw=1, label=f"α for E_π suboptimality ≤ {epsilon:g} ({what})"
                )
    ax1.set_xlabel("α")
    ax1.set_ylabel("share of rounds at the optimum")
    ax1.set_ylim(-0.02, 1.02)
    ax1.legend(fontsize="x-small", loc="lower center")
    ax2.plot(grid, full, label="E[τ] (no match end)")
    ax2.plot(grid, trunc, label=f"E[min(τ, {horizon})] exact")
    ax2.errorbar(
        homo["_alpha"],
        homo["rounds to optimum"],
        yerr=2 * homo["se (rounds)"].fillna(0),
        fmt="o",
        color="k",
        label="observed mean of min(τ, T) (± 2 se)",
    )
    ax2.set_yscale("log")
    ax2.set_xlabel("α")
    ax2.set_ylabel("rounds before the optimum is first played")
    ax2.legend(fontsize="small")
    fig.suptitle(f"Softmax switchers on {game.name}: rationality α against exploration cost")
    fig.savefig(path, dpi=110)
    return path


def plot_rounds(game: Game, groups: dict[Seating, list[np.ndarray]], noise: float, path: Path) -> Path:
    """P(profile at the optimum in round t): exact curve and observed fraction of matches."""
    opt = sm.optimal_profiles(game)
    fig = _figure(8, 4)
    ax = fig.subplots()
    homo = sorted((s for s in groups if s.homogeneous), key=lambda s: s.alphas[0])
    colors = [f"C{i % 10}" for i in range(len(homo))]
    for seat, color in zip(homo, colors):
        runs = groups[seat]
        T = min(len(r) for r in runs)
        P = sm.transition_matrix(game, seat.alphas, seat.floors, noise=noise)
        exact = sm.target_probabilities(P, opt, T)
        at = np.stack([np.isin(r[:T] @ game.strides, opt) for r in runs]).mean(axis=0)
        # log-spaced bins: the approach to the optimum happens early, the plateau is long
        edges = np.unique(np.geomspace(1, T, 40).astype(int)) - 1
        widths = np.diff(np.append(edges, T))
        binned = np.add.reduceat(at, edges) / widths
        ax.plot(np.arange(1, T + 1), exact, color=color, label=f"{seat.label()} exact")
        ax.plot(
            np.sqrt((edges + 1) * (edges + widths)),
            binned,
            "o",
            ms=3,
            color=color,
            label=f"{seat.label()} observed ({len(runs)} matches)",
        )
    ax.set_xscale("log")
    ax.set_xlabel("round t + 1")
    ax.set_ylabel("P(the profile in round t is optimal)")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize="x-small", ncol=2)
    ax.set_title("Reaching the optimum from the uniform start")
    fig.savefig(path, dpi=110)
    return path


def plot_profiles(game: Game, groups: dict[Seating, list[np.ndarray]], noise: float, path: Path) -> Path:
    """Share of rounds per profile against α (seatings with one α): stationary distribution of
    the exact chain (solid), its expectation over the match length (dashed), observed (points)."""
    homo = sorted((s for s in groups if s.homogeneous), key=lambda s: s.alphas[0])
    horizon = int(np.median([len(r) for s in homo for r in groups[s]]))
    floors = homo[0].floors
    grid = np.linspace(0.0, 1.15 * max(max(s.alphas[0] for s in homo), 1e-3), ALPHA_GRID)
    stat_rows, finite_rows = [], []
    for a in grid:
        P = sm.transition_matrix(game, a, floors, noise=noise)
        stat_rows.append(sm.stationary_distribution(P))
        finite_rows.append(sm.expected_occupation(P, horizon))
    stat, finite = np.array(stat_rows), np.array(finite_rows)
    fig = _figure(8, 4)
    ax = fig.subplots()
    labels = [game.label(p) for p in game.profile_array]
    for j, lab in enumerate(labels):
        color = f"C{j % 10}"
        ax.plot(grid, stat[:, j], color=color, label=f"{lab} stationary")
        ax.plot(grid, finite[:, j], color=color, ls="--", lw=1)
        obs = [
            sum(sm.occupation(game, r)[j] * len(r) for r in groups[s]) / sum(len(r) for r in groups[s]) for s in homo
        ]
        ax.plot([s.alphas[0] for s in homo], obs, "o", color=color)
    ax.set_xlabel("α (every seat)")
    ax.set_ylabel("share of rounds")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(
        fontsize="x-small",
        title=f"dashed: expectation over {horizon} rounds; points: observed",
        title_fontsize="x-small",
    )
    ax.set_title(f"Softmax switchers on {game.name}: where the profile chain spends its time")
    fig.savefig(path, dpi=110)
    return path


# ------------------------------------------------------------------ the section
@section
def switcher_section(ctx: ReportContext) -> Section | None:
    found = switcher_matches(ctx)
    if not found:
        return None
    game = ctx.game
    if game.n_profiles > MAX_PROFILES:
        return Section(
            "Softmax switchers",
            f"{len(found)} all-switcher matches; the game has "
            f"{game.n_profiles} profiles, too many for the exact chain.",
            order=ORDER,
        )
    noise = float(ctx.summary.get("settings", {}).get("noise") or 0.0)
    rounds = ctx.rounds
    groups: dict[Seating, list[np.ndarray]] = {}
    for mid, seat in found:
        acts = rounds[mid]["actions"]
        if len(acts):
            groups.setdefault(seat, []).append(np.asarray(acts, dtype=np.int64))
    groups = dict(sorted(groups.items(), key=lambda kv: (not kv[0].homogeneous, kv[0].alphas)))
    n_matches = sum(len(v) for v in groups.values())
    lines = [
        f"{n_matches} matches with a softmax switcher in every seat (those whose rounds were kept), "
        f"in {len(groups)} seatings. In every round the seat ⌊ξ·k⌋ re-draws its action with "
        f"probability exp(α·(u_min − its last payoff)); the profile is a Markov chain whose exact "
        f"transition matrix gives the expectations below"
        + (f" (including the noise kernel, noise = {noise:g})" if noise else "")
        + ".",
        "",
    ]
    images: list[Path] = []
    if game.is_common_payoff:
        table = optimum_table(game, groups, noise)
        u = game.payoff_vectors[:, 0]
        eps = 0.01 * float(u.max() - u.min()) if u.max() > u.min() else 1.0
        lines += [
            "**At the optimum.** For a common-payoff game the stationary distribution is the softmax "
            "π(a) ∝ exp(α·U(a)) (seed 000, Lemma 1), which concentrates on the optimum as α grows. "
            "But a match starts from a uniformly random profile and large α makes the switchers "
            "sticky: *at optimum (exact)* is the share a match of that length should show, and "
            "*rounds to optimum* the mean number of rounds τ before the optimum is first played "
            "(the exploration cost; τ = match length if never), against the exact E[min(τ, T)].",
            "",
            markdown_table(table.drop(columns=["_alpha"])),
            "",
            f"Seed 000's bound: α ≥ ln(|A|·(U* − u_min)/ε)/(U* − U₂) guarantees an expected "
            f"suboptimality U* − E_π[U] ≤ ε; for ε = {eps:g} (1% of the payoff range) that is "
            f"α ≥ {sm.alpha_for_suboptimality(game, eps):.3f}; the exact smallest α is "
            f"{sm.exact_alpha_for_suboptimality(game, eps):.3f}.",
            "",
        ]
        if ctx.plots:
            homo = table.dropna(subset=["_alpha"])
            if len(homo) >= 1:
                horizon = int(np.median([len(r) for runs in groups.values() for r in runs]))
                images.append(plot_alpha(game, table, horizon, ctx.image_path("switcher_alpha.png"), eps))
                images.append(plot_rounds(game, groups, noise, ctx.image_path("switcher_rounds.png")))
    if game.n_profiles <= MAX_PROFILE_COLUMNS:
        if ctx.plots and not game.is_common_payoff and any(s.homogeneous for s in groups):
            images.append(plot_profiles(game, groups, noise, ctx.image_path("switcher_profiles.png")))
        lines += [
            "**Share of rounds per profile**, observed (exact expectation for these match lengths):",
            "",
            markdown_table(profile_table(game, groups, noise)),
            "",
        ]
    return Section("Softmax switchers", "\n".join(lines).rstrip(), images, order=ORDER)
