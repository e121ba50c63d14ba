"""Round-robin tournaments as a Mesa model (the ``round_robin`` kind; its keys are declared in
:mod:`tournament.kinds.round_robin`).

Every k-subset of entrants (with repetition when ``self_play``) is seated; when the game
is not symmetric, every distinct seat assignment of the subset is played. Each model step
plays one repetition of every seating; the entrants are Mesa agents that accumulate
their payoffs, and a ``DataCollector`` records the running standings after every
repetition.

A deterministic, noiseless, fixed-length match gives the same result in every repetition,
so (as the Axelrod library does) such seatings are played once and reused — unless
``cache_deterministic = false``.

Matches in which every seat is a finite automaton (see ``strategies.automaton``) are played
by the batch engine (:mod:`tournament.engine.batch`), a repetition's worth at a time in this process,
with exactly the results of the per-round engine; the others go to the executor.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import pandas as pd

from .. import seeding
from ..analysis.standings import overall, standings
from ..execution.checkpoint import task_fields
from ..execution.executor import Executor, task_name
from ..execution.progress import progress_bar
from ..execution.tasks import (
    MatchContext,
    MatchRecord,
    MatchTask,
    automata_of,
    play_task,
    play_tasks,
    plays_as_automata,
)
from ..kinds.registry import KindResult, RunOptions
from ..kinds.seatings import seatings
from ..output.outputs import MatchStream
from ..scenario.spec import EntrantSpec, Population, Scenario


def match_context(scenario: Scenario, population: Population) -> MatchContext:
    """What every match of the population's round robin shares (its seeds, settings, entrants)."""
    return MatchContext(
        game=scenario.game,
        entrants=population.entrants,
        turns=scenario.match.turns,
        prob_end=scenario.match.prob_end,
        noise=scenario.match.noise,
        seed=scenario.seed,
        keep_traces=int(scenario.report.get("traces", 1)),
        analysis=dict(scenario.analysis),
        on_error=scenario.execution["on_error"],
        time_limit=scenario.execution["time_limit"],
        reveal_length=scenario.match.reveal_length,
    )


class EntrantAgent(mesa.Agent):
    """An entrant of the round robin: accumulates its payoffs over all its matches."""

    def __init__(self, model: RoundRobinModel, index: int, spec: EntrantSpec):
        super().__init__(model)
        self.index = index
        self.spec = spec
        self.total = 0.0
        self.n = 0

    @property
    def mean_payoff(self) -> float:
        return self.total / self.n if self.n else float("nan")

    def add(self, payoff: float) -> None:
        if payoff != payoff:  # a forfeited match (NaN) adds nothing
            return
        self.total += payoff
        self.n += 1


class RoundRobinModel(mesa.Model):
    """One step = one repetition of every seating."""

    def __init__(
        self,
        scenario: Scenario,
        population: Population,
        options: RunOptions | None = None,
        progress: Callable[[int], None] | None = None,
        keep_rounds: bool = False,
    ):
        rng, mesa_seed = seeding.model_generator(seeding.seed_sequence(scenario.seed, seeding.ANALYSIS_STREAM))
        super().__init__(rng=mesa_seed)
        self.rng = rng  # the model's own generator; Mesa's (seeded by mesa_seed) decides none of our draws
        # not `self.scenario`: Mesa >= 3.5 reserves Model.scenario for its own Scenario class
        self.tournament_scenario = scenario
        self.options = options or RunOptions()
        self.entrant_specs = population.entrants
        self.game = scenario.game
        settings = scenario.settings
        self.seatings = seatings(
            len(self.entrant_specs), self.game.n_players, self.game.is_symmetric, settings["self_play"]
        )
        self.repetitions = scenario.repetitions
        self.entrant_agents = [EntrantAgent(self, i, spec) for i, spec in enumerate(self.entrant_specs)]
        self.context = match_context(scenario, population)
        # seatings whose every match is known to be identical (deterministic strategies, no
        # noise, fixed length): marked in matches.csv, and played once when caching is on
        self._known_deterministic = self._deterministic_seatings()
        self._deterministic = self._known_deterministic if settings["cache_deterministic"] else set()
        self._first: dict[int, MatchRecord] = {}
        # rows (and kept rounds) go to the results folder as they arrive (options.sink, a
        # MatchStream); only a compact table of the rows stays in memory, and the rounds only
        # when asked (keep_rounds) or when nothing is written
        self.stream = self.options.sink if self.options.sink is not None else MatchStream(None)
        self.keep_rounds = keep_rounds or self.options.sink is None
        self.rounds: dict[int, dict] = {}
        self.n_played = 0
        self.progress = progress
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "repetitions_done": lambda m: m.steps,
                "matches_played": lambda m: m.n_played,
                "mean_payoff": lambda m: (
                    sum(a.total for a in m.entrant_agents) / max(1, sum(a.n for a in m.entrant_agents))
                ),
            },
            agent_reporters={"mean_payoff": "mean_payoff", "entrant": lambda a: a.spec.name},
        )
        self.executor = Executor(play_task, self.context, options=self.options)
        self.automata = (
            {} if self.options.engine == "python" else automata_of(self.context, lambda e: range(self.game.n_players))
        )
        self.running = bool(self.seatings) and self.repetitions > 0

    @property
    def n_matches(self) -> int:
        return len(self.seatings) * self.repetitions

    def _deterministic_seatings(self) -> set[int]:
        m = self.tournament_scenario.match
        if m.noise > 0 or m.prob_end is not None:
            return set()
        det = [not spec.build().is_stochastic for spec in self.entrant_specs]
        return {j for j, s in enumerate(self.seatings) if all(det[i] for i in s)}

    def task(self, rep: int, j: int) -> MatchTask | None:
        """The match to play for seating ``j`` in repetition ``rep``; None when a deterministic
        seating reuses its first repetition."""
        if rep > 0 and j in self._deterministic:
            return None
        return MatchTask(rep * len(self.seatings) + j, rep, self.seatings[j])

    def finish(self, rep: int, j: int, played: MatchRecord | None) -> MatchRecord:
        """Record seating ``j`` of repetition ``rep`` (``played``: the record of ``task(rep, j)``,
        None when it is reused) and credit its entrants."""
        match_id = rep * len(self.seatings) + j
        if played is None:
            src = self._first[j]
            row = dict(src.row, match_id=match_id, repetition=rep)
            if src.row.get("status") == "failed":  # a deterministic failure: this match's id
                row["error"] = (
                    str(src.error.at_match(match_id))
                    if src.error is not None
                    else str(row["error"]).replace(f", match {src.row['match_id']}, ", f", match {match_id}, ", 1)
                )
            record = MatchRecord(row, src.rounds if rep < self.context.keep_traces else None)
            if self.progress:
                self.progress(1)
        else:
            record = played
            if rep == 0 and j in self._deterministic:
                # reused by later repetitions; their rounds only if they keep traces too
                self._first[j] = record if self.context.keep_traces > 1 else MatchRecord(record.row, error=record.error)
        record.row["deterministic"] = j in self._known_deterministic
        self._absorb(self.seatings[j], record)
        return record

    def step(self) -> None:
        rep = self.steps - 1  # Mesa counts steps from 1 inside step()
        tasks = [self.task(rep, j) for j in range(len(self.seatings))]
        todo = [t for t in tasks if t is not None]
        auto = [t for t in todo if plays_as_automata(t, self.automata)]
        batched = self._play_batch(auto) if auto else {}
        played = iter(self.executor.map([t for t in todo if t.match_id not in batched], self.progress))
        for j, task in enumerate(tasks):
            if task is None:
                record = None
            elif task.match_id in batched:
                record = batched[task.match_id]
            else:
                record = next(played)
            self.finish(rep, j, record)
        self.datacollector.collect(self)
        if rep + 1 >= self.repetitions:
            self.running = False

    def _play_batch(self, tasks: list[MatchTask]) -> dict[int, MatchRecord]:
        """Records of matches whose every seat is an automaton, from the batch engine (or from
        the checkpoint of an interrupted run); each saved to the checkpoint as it would be if
        the executor had played it."""
        ex, ck = self.executor, self.executor.checkpoint
        name = task_name(ex.fn)
        fields = {t.match_id: task_fields(t) for t in tasks} if ck is not None else {}
        done = {}
        if ck is not None:
            for mid, f in fields.items():
                key = ck.key(ex.scope, name, f)
                if ck.has(key):
                    done[mid] = ck.get(key)
        rest = [t for t in tasks if t.match_id not in done]
        for task, record in zip(rest, play_tasks(self.context, rest, self.automata)):
            done[task.match_id] = record
            if ck is not None:
                ck.put(ex.scope, name, fields[task.match_id], record)
        if self.progress:
            self.progress(len(tasks))
        return done

    def _absorb(self, seating: tuple[int, ...], record: MatchRecord) -> None:
        self.stream.add(record.row, record.rounds)
        if record.rounds is not None and self.keep_rounds:
            self.rounds[record.row["match_id"]] = record.rounds
        self.n_played += 1
        for seat, idx in enumerate(seating):
            self.entrant_agents[idx].add(record.row[f"payoff_{seat}"])

    def run(self) -> KindResult:
        with self.executor:
            while self.running:
                self.step()
        matches = self.stream.close()
        names = [s.name for s in self.entrant_specs]
        m = self.tournament_scenario.match
        exact = m.noise == 0 and m.prob_end is None  # identical logs are not chance here
        table = standings(matches, self.game.n_players, names, exact) if len(matches) else pd.DataFrame()
        summary = {
            "n_matches": len(matches),
            "n_seatings": len(self.seatings),
            "standings": table.to_dict(orient="records"),
        }
        if len(matches):
            summary["overall"] = overall(matches, self.game.n_players, exact)
        history = self.datacollector.get_model_vars_dataframe()
        return KindResult(
            matches=matches, summary=summary, rounds=self.rounds, tables={"progress": history.reset_index(names="step")}
        )


def run(scenario: Scenario, options: RunOptions) -> KindResult:
    """The ``round_robin`` kind's run (one population)."""
    model = RoundRobinModel(scenario, scenario.populations[0], options)
    with progress_bar(model.n_matches, enabled=options.progress, desc=scenario.name) as bar:
        model.progress = bar
        return model.run()
