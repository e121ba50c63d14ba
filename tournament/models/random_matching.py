"""The ``random_matching`` kind: every round the population is shuffled into new groups of k that
play one stage game; each individual is one strategy instance that keeps learning across all
its partners (the seed's "population game").

**What an individual sees.** Each individual (a Mesa agent) owns one strategy instance and a
*personal* match history, handed to the strategy through the ordinary read-only
:class:`~tournament.view.MatchView`: row t of ``view.actions`` is the action profile of the
individual's t-th stage game, its own action in its own seat; ``view.payoffs`` are its own
payoffs; ``view.round`` counts its own games; ``view.xi`` is the shared random number of the
current group. So ``view.last_actions`` shows the *previous partner's* move: tit-for-tat
copies whoever it met last, a haggler's hypotheses are tested against the stream of partners.
Individuals do not see their partners' identities or histories.

**Seats.** In a player-symmetric game every individual always sits in seat 0 of its own view
(the group's profile is permuted so that it is, which leaves payoffs unchanged). In other
games the population is replicated per role: each seat s has its own sub-population with the
entrants' composition, and every group takes one individual from each role (the standard
multi-population random matching). Leftover individuals (N not a multiple of k) sit out
that round, and their histories simply do not grow.

**Matches.** A match here is one group's stage game in one round. There are
runs × rounds × N/k of them (10^8 for 10^4 individuals, 200 rounds and 10 runs), so
``matches.csv`` aggregates them: one row per run, recording window (``record_every``
rounds, as in ``shares.csv``; by default a hundredth of a generation, so at most about 100
windows per generation) and *seating* — which types sat in which seat (in a symmetric game
the seats are ordered by type). ``games`` is how many stage games the row stands for,
``payoff_i`` their mean payoff to seat i, ``round`` the rounds played by the end of the
window, ``repetition`` the run. With ``record_every = 1`` every round has its own rows. The
file grows with runs × windows × seatings, not with the population size.

**Generations.** ``turns`` is the number of rounds of a generation. With ``generations`` > 1,
the next generation (fresh strategy instances, empty histories) is drawn Wright–Fisher
style: N parents sampled with replacement ∝ fitness, fitness mapped from each individual's
mean payoff per game as in the Moran kind (``fitness``, ``selection_intensity``), then
``mutation``. ``runs`` independent replays (seeded per run) give the intervals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import mesa
import numpy as np
import pandas as pd

from .. import seeding
from ..analysis.standings import ranked
from ..analysis.stats import mean_ci
from ..engine.batch import AutomatonPopulation
from ..engine.match import call_strategy, release_model, to_action
from ..errors import StrategyError
from ..execution.executor import Executor
from ..execution.progress import progress_bar
from ..game import Game
from ..kinds.population import initial_counts, types_of
from ..kinds.registry import KindResult, RunOptions
from ..scenario.spec import EntrantSpec, Scenario
from ..theory.moran import fitness_from_payoffs
from ..view import History, MatchView
from .payoffs import cooperate_actions

_RUN_STREAM = 2  # below POPULATION_STREAM: 0 graphs, 1 Moran runs, 2 random-matching runs


@dataclass
class MatchingContext:
    game: Game
    types: list[EntrantSpec]
    counts: np.ndarray  # individuals per type (per role in non-symmetric games)
    turns: int
    noise: float
    generations: int
    fitness: str
    intensity: float
    mutation: float
    record_every: int
    seed: int
    engine: str = "auto"  # "auto": automaton types play on the batch engine; "python": per individual


@dataclass(frozen=True)
class MatchingTask:
    run: int


class Member(mesa.Agent):
    """An individual: one strategy instance with its personal history across all its partners."""

    def __init__(self, model: RandomMatchingModel, uid: int, type_index: int, role: int):
        super().__init__(model)
        ctx = model.ctx
        self.uid = uid
        self.type_index = type_index
        self.role = role
        self.type_name = ctx.types[type_index].name
        self.generation = model.generation
        self.strategy = ctx.types[type_index].build()
        self.history = History(ctx.game, min(ctx.turns, 1024), match_id=None, seat=role, record_payoffs=True)
        self.history.noise = ctx.noise  # view.noise; view.turns stays None: no fixed partner
        self.view = MatchView(self.history, role)
        self.games = 0
        self.payoff_sum = 0.0
        self.coop_sum = 0
        self._labels = ctx.game._index[role]
        self._n = ctx.game.n_actions[role]
        rng = seeding.generator(
            seeding.seed_sequence(ctx.seed, seeding.POPULATION_STREAM, _RUN_STREAM, model.run_index, 1 + uid)
        )
        call_strategy(lambda: self.strategy.begin_match(self.view, rng), self._fail, "reset")

    @property
    def mean_payoff(self) -> float:
        return self.payoff_sum / self.games if self.games else math.nan

    @property
    def cooperation(self) -> float:
        return self.coop_sum / self.games if self.games and self.model.coop is not None else math.nan

    def _fail(self, message: str) -> StrategyError:
        return StrategyError(
            f"individual {self.uid} (run {self.model.run_index}): {message}",
            strategy=self.type_name,
            seat=self.role,
            round=self.history.t,
        )

    def choose(self, xi: float) -> int:
        self.history.xi = xi
        self.strategy._trace_round = self.history.t
        a = call_strategy(lambda: self.strategy.choose(self.view), self._fail, "choose")
        return to_action(a, self._n, self._labels, self.model.ctx.game.actions[self.role], self._fail)

    def record(self, profile: tuple[int, ...], payoffs: np.ndarray) -> None:
        self.history.record(profile, payoffs)
        own = float(payoffs[self.role])
        self.games += 1
        self.payoff_sum += own
        coop = self.model.coop
        if coop is not None and profile[self.role] == coop[self.role]:
            self.coop_sum += 1
        m = self.model
        m.win_pay[self.type_index] += own
        m.win_games[self.type_index] += 1
        if coop is not None and profile[self.role] == coop[self.role]:
            m.win_coop[self.type_index] += 1

    def observe(self) -> None:
        self.strategy._trace_round = self.history.t - 1
        call_strategy(lambda: self.strategy.observe(self.view), self._fail, "observe")


class Cohort(mesa.Agent):
    """With the batch engine: the individuals of one type in one role, held as rows of the
    model's arrays (``tournament.engine.batch.AutomatonPopulation``) so that a round is played for
    everyone at once; ``count`` individuals. (Python strategies are one :class:`Member` each.)"""

    def __init__(self, model: RandomMatchingModel, type_index: int, role: int, count: int):
        super().__init__(model)
        self.type_index = type_index
        self.type_name = model.ctx.types[type_index].name
        self.role = role
        self.count = count
        self.generation = model.generation


class RandomMatchingModel(mesa.Model):
    """One run. ``step()`` is one round: new random groups, one stage game each.

    When every type is a finite automaton (and ``engine`` is not ``"python"``), a round is
    played for all groups at once by the batch engine, with the results of the per-individual
    path: the same groups, noise and private draws, and the same tallies in the same order.
    The individuals are then rows of arrays, and the model's agents are one :class:`Cohort`
    per type and role (10^6 individuals would not fit as 10^6 agents).
    """

    def __init__(self, ctx: MatchingContext, run: int = 0):
        rng, mesa_seed = seeding.model_generator(
            seeding.seed_sequence(ctx.seed, seeding.POPULATION_STREAM, _RUN_STREAM, run)
        )
        super().__init__(rng=mesa_seed)
        self.rng = rng  # the run's own generator; Mesa's (seeded by mesa_seed) decides none of our draws
        self.ctx = ctx
        self.run_index = run
        game = ctx.game
        self.k = game.n_players
        self.symmetric = game.is_symmetric
        self.n_roles = 1 if self.symmetric else self.k
        self.n_types = len(ctx.types)
        self.coop = cooperate_actions(game)
        self._table = game.payoff_vectors
        self._strides = game.strides.tolist()
        self._n_actions = game.n_actions
        self.generation = 0
        self.round = 0
        self._uid = 0
        self.win_rows: dict[int, list] = {}  # seating code -> [seat types, games, payoff sums]
        self.match_rows: list[dict] = []
        self.population = self._automaton_population()
        self.members: list[list] = []  # per role (per-individual path)
        self.slots: list[np.ndarray] = []  # per role, with the batch engine: the individuals' rows
        self._individual_frames: list[pd.DataFrame] = []
        for role in range(self.n_roles):
            types = np.repeat(np.arange(self.n_types), ctx.counts)
            self._add_members(types, role)
        self._reset_window()
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "round": "round",
                "generation": "generation",
                "counts": lambda m: m.type_counts().tolist(),
                "payoff_sums": lambda m: m.win_pay.tolist(),
                "games": lambda m: m.win_games.tolist(),
                "coop_sums": lambda m: m.win_coop.tolist(),
            }
        )
        self.individual_data = mesa.DataCollector(
            agent_reporters={
                "generation": "generation",
                "uid": "uid",
                "type": "type_name",
                "role": "role",
                "games": "games",
                "mean_payoff": "mean_payoff",
                "cooperation": "cooperation",
            }
        )
        self.running = ctx.turns > 0 and ctx.generations > 0

    def _born(self, type_index: int, role: int) -> Member:
        self._uid += 1
        return Member(self, self._uid, type_index, role)

    def _automaton_population(self):
        """The batch engine's arrays if every type is an automaton in every role, else None."""
        if self.ctx.engine == "python":
            return None
        automata = {}
        for t, spec in enumerate(self.ctx.types):
            probe = spec.build()
            for role in range(self.n_roles):
                try:
                    a = probe.automaton(self.ctx.game, role, self.ctx.turns)  # <= turns games per generation
                except Exception:  # noqa: BLE001 - the per-individual path reports it
                    a = None
                if a is None:
                    return None
                automata[(t, role)] = a
        self._games = np.zeros(0, dtype=np.int64)
        self._pay_sum = np.zeros(0)
        self._coop_sum = np.zeros(0, dtype=np.int64)
        self._type_of = np.zeros(0, dtype=np.int64)
        self._uid_of = np.zeros(0, dtype=np.int64)
        self._all_games = 0  # rounds in which every individual played (their games are not counted one by one)
        return AutomatonPopulation(self.ctx.game, automata)

    def _add_members(self, types: np.ndarray, role: int) -> None:
        """Individuals of the given types in ``role`` (a new role, or the next generation's)."""
        if self.population is None:
            members = [self._born(int(t), role) for t in types]
            if role < len(self.members):
                self.members[role] = members
            else:
                self.members.append(members)
            return
        ctx, first_uid = self.ctx, self._uid + 1

        def seed(i: int):
            return seeding.seed_sequence(
                ctx.seed, seeding.POPULATION_STREAM, _RUN_STREAM, self.run_index, 1 + first_uid + i
            )

        slots = self.population.add_many(types, role, seed)
        n = int(slots[-1]) + 1 if len(slots) else len(self._games)
        if n > len(self._games):
            extra = n - len(self._games)
            self._games = np.concatenate([self._games, np.zeros(extra, dtype=np.int64)])
            self._pay_sum = np.concatenate([self._pay_sum, np.zeros(extra)])
            self._coop_sum = np.concatenate([self._coop_sum, np.zeros(extra, dtype=np.int64)])
            self._type_of = np.concatenate([self._type_of, np.zeros(extra, dtype=np.int64)])
            self._uid_of = np.concatenate([self._uid_of, np.zeros(extra, dtype=np.int64)])
        self._type_of[slots] = types
        self._uid_of[slots] = np.arange(first_uid, first_uid + len(types))
        self._uid += len(types)
        for t, c in enumerate(np.bincount(types, minlength=self.n_types).tolist()):
            if c:
                Cohort(self, t, role, c)
        if role < len(self.slots):
            self.slots[role] = slots
        else:
            self.slots.append(slots)
        self._identity_slots = len(self.slots) == 1 and bool(np.array_equal(self.slots[0], np.arange(len(slots))))

    def _reset_window(self) -> None:
        self.win_pay = np.zeros(self.n_types)
        self.win_games = np.zeros(self.n_types, dtype=np.int64)
        self.win_coop = np.zeros(self.n_types, dtype=np.int64)

    def type_counts(self) -> np.ndarray:
        """Individuals of each type (summed over roles)."""
        if self.population is not None:
            return np.bincount(np.concatenate([self._type_of[s] for s in self.slots]), minlength=self.n_types)
        return np.bincount([m.type_index for pool in self.members for m in pool], minlength=self.n_types)

    # ------------------------------------------------------------ one round
    def groups(self) -> list[list[Member]]:
        k = self.k
        if self.symmetric:
            pool = self.members[0]
            order = self.rng.permutation(len(pool))
            usable = len(pool) - len(pool) % k
            return [[pool[j] for j in order[i : i + k]] for i in range(0, usable, k)]
        perms = [self.rng.permutation(len(p)) for p in self.members]
        return [[self.members[r][perms[r][g]] for r in range(k)] for g in range(len(self.members[0]))]

    def play(self, group: Sequence[Member], xi: float, shifts: Sequence[int] | None = None) -> int:
        """One stage game of ``group``; ``shifts[i]`` > 0 replaces seat i's action by noise.
        Returns the index of the profile played (into ``game.payoff_vectors``)."""
        profile = [member.choose(xi) for member in group]
        if shifts is not None:
            n_actions = self._n_actions
            profile = [(a + shifts[i]) % n_actions[i] if shifts[i] else a for i, a in enumerate(profile)]
        idx = sum(a * s for a, s in zip(profile, self._strides))
        pay = self._table[idx]
        for seat, member in enumerate(group):
            if self.symmetric and seat:
                # the member's own view has it in seat 0: swap seats 0 and `seat`
                own = list(profile)
                own[0], own[seat] = own[seat], own[0]
                vec = pay.copy()
                vec[0], vec[seat] = vec[seat], vec[0]
                member.record(tuple(own), vec)
            else:
                member.record(tuple(profile), pay)
        for member in group:
            member.observe()
        return idx

    def _tally(self, types: np.ndarray, pay: np.ndarray) -> None:
        """Add this round's stage games to the window's rows: per seating of types, the
        number of games and the sum of each seat's payoff. ``types`` and ``pay`` are
        (groups, k): each group's types and payoffs, seat by seat."""
        if not len(types):
            return
        if self.symmetric:  # seats ordered by type: (TFT, ALLD) and (ALLD, TFT) are one seating
            if self.k == 2:  # a swap where the seats are out of order (ties stay: a stable sort)
                swap = types[:, 0] > types[:, 1]
                types = np.where(swap[:, None], types[:, ::-1], types)
                pay = np.where(swap[:, None], pay[:, ::-1], pay)
            else:
                order = np.argsort(types, axis=1, kind="stable")
                types = np.take_along_axis(types, order, axis=1)
                pay = np.take_along_axis(pay, order, axis=1)
        codes = types @ (self.n_types ** np.arange(self.k - 1, -1, -1, dtype=np.int64))
        n_codes = self.n_types**self.k
        sums: np.ndarray
        if n_codes <= max(1 << 16, 4 * len(codes)):
            # one bin per possible seating; bincount adds the payoffs in group order, as add.at does
            counts = np.bincount(codes, minlength=n_codes)
            uniq = np.flatnonzero(counts)
            counts = counts[uniq]
            sums = np.column_stack(
                [np.bincount(codes, weights=pay[:, s], minlength=n_codes)[uniq] for s in range(self.k)]
            )
        else:
            uniq, inv = np.unique(codes, return_inverse=True)
            counts = np.bincount(inv, minlength=len(uniq))
            sums = np.zeros((len(uniq), self.k))
            np.add.at(sums, inv.reshape(-1), pay)
        for j, code in enumerate(uniq.tolist()):
            acc = self.win_rows.get(code)
            if acc is None:
                seat_types = tuple(code // self.n_types ** (self.k - 1 - s) % self.n_types for s in range(self.k))
                self.win_rows[code] = [seat_types, int(counts[j]), sums[j].copy()]
            else:
                acc[1] += int(counts[j])
                acc[2] += sums[j]

    def _flush_rows(self) -> None:
        names = [t.name for t in self.ctx.types]
        for code in sorted(self.win_rows):
            seat_types, games, sums = self.win_rows[code]
            row: dict[str, object] = {"generation": self.generation, "round": self.round}
            row.update({f"entrant_{s}": names[t] for s, t in enumerate(seat_types)})
            row.update({f"payoff_{s}": float(sums[s] / games) for s in range(self.k)})
            row.update({"turns": 1, "games": games})
            self.match_rows.append(row)
        self.win_rows = {}

    def step(self) -> None:
        if self.population is not None:
            self._play_batch()
        else:
            self._play_round()
        self.round += 1
        end_of_generation = self.round % self.ctx.turns == 0
        if self.round % self.ctx.record_every == 0 or end_of_generation:
            self.datacollector.collect(self)
            self._flush_rows()
            self._reset_window()
        if end_of_generation:
            if self.population is not None:
                self._individual_frames.append(self._individuals())
            else:
                self.individual_data.collect(self)
            if self.generation + 1 >= self.ctx.generations:
                self.running = False
            else:
                self.reproduce()

    def _individuals(self) -> pd.DataFrame:
        """With the batch engine: the rows the per-individual path's ``individual_data`` collects
        (every individual alive, in order of birth)."""
        slots = np.concatenate(self.slots)
        games = self._games[slots] + self._all_games
        played = games > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            pay = np.where(played, self._pay_sum[slots] / np.maximum(games, 1), np.nan)
            coop = (
                np.where(played, self._coop_sum[slots] / np.maximum(games, 1), np.nan)
                if self.coop is not None
                else np.full(len(slots), np.nan)
            )
        names = np.array([t.name for t in self.ctx.types], dtype=object)
        roles = np.concatenate([np.full(len(s), r, dtype=np.int64) for r, s in enumerate(self.slots)])
        return pd.DataFrame(
            {
                "generation": np.full(len(slots), self.generation, dtype=np.int64),
                "uid": self._uid_of[slots],
                "type": names[self._type_of[slots]],
                "role": roles,
                "games": games,
                "mean_payoff": pay,
                "cooperation": coop,
            }
        )

    def _play_round(self) -> None:
        """One round, individual by individual."""
        groups = self.groups()
        rng = self.rng
        # the round's random numbers in one draw each (per-group draws dominate at N = 10^4)
        xis = rng.random(len(groups)).tolist()
        if self.ctx.noise > 0:
            n_actions = np.array(self._n_actions)
            flips = (rng.random((len(groups), self.k)) < self.ctx.noise) & (n_actions > 1)
            shifts = rng.integers(1, np.maximum(n_actions, 2), size=(len(groups), self.k))
            shifts = np.where(flips, shifts, 0)
            noisy = np.any(flips, axis=1).tolist()  # (np.any: typed as an array for an axis)
            shifts = shifts.tolist()
            played = [self.play(group, xis[g], shifts[g] if noisy[g] else None) for g, group in enumerate(groups)]
        else:
            played = [self.play(group, xis[g]) for g, group in enumerate(groups)]
        if groups:
            types = np.array([[m.type_index for m in g] for g in groups], dtype=np.int64)
            self._tally(types, self._table[np.asarray(played)])

    def _play_batch(self) -> None:
        """One round for every group at once (the batch engine): the same draws, in the same
        order, as :meth:`_play_round`, and the same tallies, added in the same order."""
        k, rng, pop = self.k, self.rng, self.population
        if self.symmetric:
            pool = self.slots[0]
            order = rng.permutation(len(pool))
            usable = len(pool) - len(pool) % k
            groups = (order[:usable] if self._identity_slots else pool[order[:usable]]).reshape(-1, k)
            everyone = usable == len(pool)
        else:
            perms = [rng.permutation(len(p)) for p in self.slots]
            groups = np.stack([self.slots[r][perms[r]] for r in range(k)], axis=1)
            everyone = True
        n_groups = len(groups)
        seeding.skip_doubles(rng, n_groups)  # the groups' shared random numbers (automata do not use them)
        acts, states = pop.actions(groups)
        n_actions = np.array(self._n_actions)
        if self.ctx.noise > 0:
            flips = rng.random((n_groups, k)) < self.ctx.noise
            if n_actions.min() < 2:
                flips &= n_actions > 1
            if n_actions.max() <= 2:  # offsets are all 1 (and drawing them takes no numbers): flip
                acts ^= flips
            else:
                shifts = np.where(flips, rng.integers(1, np.maximum(n_actions, 2), size=(n_groups, k)), 0)
                acts = np.where(shifts > 0, (acts + shifts) % n_actions, acts)
        s = self._strides
        cols = [acts[:, j] for j in range(k)]
        profiles = cols[0] * s[0]
        for j in range(1, k):
            profiles += cols[j] * s[j]
        for seat in range(k):
            seen = profiles
            if self.symmetric and seat:  # the individual's own view has it in seat 0
                seen = profiles + (cols[seat] - cols[0]) * (s[0] - s[seat])
            pop.observe(groups[:, seat], states[:, seat], seen)
        flat = groups.ravel()
        own = self._table[profiles].ravel()  # seat j's own payoff is column j (own view or role)
        if everyone:
            self._all_games += 1
        else:
            self._games[flat] += 1
        self._pay_sum[flat] += own
        types = pop.type_of_state[states.ravel()]
        self._tally(types.reshape(n_groups, k).astype(np.int64), self._table[profiles])
        t = self.n_types
        np.add.at(self.win_pay, types, own)  # unbuffered, in order: as the per-individual sums are added
        if self.coop is None:
            self.win_games += np.bincount(types, minlength=t)
        else:
            coop = np.array([self.coop[0 if self.symmetric else j] for j in range(k)])
            cooperated = (acts == coop).ravel()
            self._coop_sum[flat] += cooperated
            both = np.bincount(types * 2 + cooperated, minlength=2 * t).reshape(t, 2)
            self.win_games += both.sum(axis=1)
            self.win_coop += both[:, 1]

    def reproduce(self) -> None:
        """Wright–Fisher: the next generation's types ∝ fitness, then mutation; fresh individuals."""
        ctx = self.ctx
        self.generation += 1
        new_members = []
        for role in range(self.n_roles):
            pool: np.ndarray | list  # the parents' slots, or the individuals (per-individual path)
            if self.population is not None:
                pool = slots = self.slots[role]
                games = self._games[slots] + self._all_games
                with np.errstate(invalid="ignore", divide="ignore"):
                    pay = np.where(games > 0, self._pay_sum[slots] / np.maximum(games, 1), np.nan)
            else:
                pool = self.members[role]
                pay = np.array([m.mean_payoff for m in pool])
            pay = np.where(np.isnan(pay), np.nanmean(pay) if np.any(~np.isnan(pay)) else 0.0, pay)
            fit = fitness_from_payoffs(pay, ctx.fitness, ctx.intensity)
            prob = fit / fit.sum() if fit.sum() > 0 else None  # nobody fit: uniform
            parents = self.rng.choice(len(pool), size=len(pool), p=prob)
            types = (
                self._type_of[self.slots[role][parents]]
                if self.population is not None
                else np.array([pool[p].type_index for p in parents])
            )
            if ctx.mutation > 0 and self.n_types > 1:
                mutate = self.rng.random(len(types)) < ctx.mutation
                other = self.rng.integers(self.n_types - 1, size=len(types))
                types = np.where(mutate, other + (other >= types), types)
            if self.population is None:
                for m in pool:
                    m.remove()
            new_members.append(types)
        if self.population is not None:  # the old generation's rows are free again
            for cohort in list(self.agents):
                cohort.remove()
            self.population.clear()
            for name in ("_games", "_pay_sum", "_coop_sum", "_type_of", "_uid_of"):
                setattr(self, name, getattr(self, name)[:0])
            self._all_games = 0
        for role, types in enumerate(new_members):
            self._add_members(types, role)

    def run_model(self) -> dict:
        while self.running:
            self.step()
        rec = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        names = [t.name for t in self.ctx.types]
        rows = []
        pop_rows = []
        for r in rec.itertuples(index=False):
            counts = np.array(r.counts)
            total = counts.sum()
            pay, games, coop = np.array(r.payoff_sums), np.array(r.games), np.array(r.coop_sums)
            for t, name in enumerate(names):
                rows.append(
                    {
                        "run": self.run_index,
                        "round": r.round,
                        "generation": r.generation,
                        "type": name,
                        "count": int(counts[t]),
                        "share": counts[t] / total,
                        "mean_payoff": pay[t] / games[t] if games[t] else math.nan,
                        "cooperation": coop[t] / games[t] if games[t] and self.coop is not None else math.nan,
                    }
                )
            g = games.sum()
            pop_rows.append(
                {
                    "run": self.run_index,
                    "round": r.round,
                    "generation": r.generation,
                    "mean_payoff": float(pay.sum()) / int(g) if g else math.nan,
                    "cooperation": float(coop.sum()) / int(g) if g and self.coop is not None else math.nan,
                }
            )
        if self.population is not None:
            individuals = pd.concat(self._individual_frames, ignore_index=True)
        else:
            individuals = self.individual_data.get_agent_vars_dataframe().reset_index(drop=True)
        individuals.insert(0, "run", self.run_index)
        everyone = individuals  # per-type statistics over every game of the run (all generations)
        per_type = {}
        for name in names:
            sel = everyone[everyone["type"] == name]
            games = sel["games"].to_numpy()
            per_type[name] = {
                "individuals": len(sel),
                "mean_payoff": float((sel["mean_payoff"].fillna(0) * games).sum() / games.sum())
                if games.sum()
                else math.nan,
                "cooperation": float((sel["cooperation"].fillna(0) * games).sum() / games.sum())
                if games.sum() and self.coop is not None
                else math.nan,
            }
        counts = self.type_counts()
        games = everyone["games"].to_numpy()
        overall = float((everyone["mean_payoff"].fillna(0) * games).sum() / games.sum()) if games.sum() else math.nan
        return {
            "run": self.run_index,
            "shares": pd.DataFrame(rows),
            "population": pd.DataFrame(pop_rows),
            "individuals": individuals,
            "final_shares": counts / counts.sum(),
            "per_type": per_type,
            "mean_payoff": overall,
            "matches": self.match_rows,
        }


def matching_task(ctx: MatchingContext, task: MatchingTask) -> dict:
    """One independent run (the unit of work shipped to workers)."""
    model = RandomMatchingModel(ctx, task.run)
    try:
        return model.run_model()
    finally:
        release_model(model)


def context_for(scenario: Scenario) -> MatchingContext:
    """The run context of a (single-population) random-matching scenario."""
    st = scenario.settings
    types = types_of(scenario.populations[0])
    assert scenario.match.turns is not None  # checked when the scenario is read: random_matching has turns
    return MatchingContext(
        game=scenario.game,
        types=types.specs,
        counts=initial_counts(st, types),
        turns=scenario.match.turns,
        noise=scenario.match.noise,
        generations=st["generations"],
        fitness=st["fitness"],
        intensity=st["selection_intensity"],
        mutation=st["mutation"],
        record_every=st["record_every"],
        seed=scenario.seed,
    )


def run(scenario: Scenario, options: RunOptions) -> KindResult:
    """The ``random_matching`` kind's run (one population)."""
    st = scenario.settings
    types = types_of(scenario.populations[0])
    ctx = replace(context_for(scenario), engine=options.engine)
    counts = ctx.counts
    tasks = [MatchingTask(r) for r in range(st["runs"])]
    with (
        Executor(matching_task, ctx, options=options) as ex,
        progress_bar(len(tasks), enabled=options.progress, desc=f"{scenario.name}: matching", unit="run") as bar,
    ):
        runs = list(ex.map(tasks, bar))
    names = list(types.names)
    table_rows = []
    for name in names:  # one observation per run (Student-t over runs)
        m, lo, hi, n = mean_ci([r["per_type"][name]["mean_payoff"] for r in runs])
        table_rows.append({"entrant": name, "mean_payoff": m, "ci_low": lo, "ci_high": hi, "n": n})
    st_table = ranked(table_rows)
    final = np.array([r["final_shares"] for r in runs])
    pop: dict = {
        "kind": "random_matching",
        "types": names,
        "initial_counts": counts.tolist(),
        "population_size": int(counts.sum()),
        "roles": 1 if scenario.game.is_symmetric else scenario.game.n_players,
        "runs": len(runs),
        "generations": st["generations"],
        "rounds_per_generation": scenario.match.turns,
        "final_shares": [],
        "per_type": [],
    }
    for i, name in enumerate(names):
        m, lo, hi, n = mean_ci(final[:, i], bounds=(0, 1))
        pop["final_shares"].append(
            {"type": name, "initial": float(counts[i] / counts.sum()), "share": m, "ci_low": lo, "ci_high": hi, "n": n}
        )
        cm, clo, chi, _ = mean_ci([r["per_type"][name]["cooperation"] for r in runs], bounds=(0, 1))
        pop["per_type"].append({"type": name, "cooperation": cm, "cooperation_ci_low": clo, "cooperation_ci_high": chi})
    m, lo, hi, n = mean_ci([r["mean_payoff"] for r in runs])
    pop["mean_payoff"] = {
        "mean": m,
        "ci_low": lo,
        "ci_high": hi,
        "n": n,
        "over": "every stage game of a run (Student-t over runs)",
    }
    k = scenario.game.n_players
    columns = (
        ["match_id", "repetition", "generation", "round"]
        + [f"entrant_{s}" for s in range(k)]
        + [f"payoff_{s}" for s in range(k)]
        + ["turns", "games"]
    )
    rows = [{"repetition": r["run"], **row} for r in runs for row in r["matches"]]
    matches = pd.DataFrame(rows, columns=columns[1:])
    matches.insert(0, "match_id", np.arange(len(matches)))
    summary = {
        "n_matches": int(matches["games"].sum()),
        "standings": st_table.to_dict(orient="records"),
        "population": pop,
    }
    tables = {
        "shares": pd.concat([r["shares"] for r in runs], ignore_index=True),
        "population": pd.concat([r["population"] for r in runs], ignore_index=True),
        "individuals": pd.concat([r["individuals"] for r in runs], ignore_index=True),
    }
    return KindResult(matches=matches, summary=summary, tables=tables)
