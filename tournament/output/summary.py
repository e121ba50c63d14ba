"""``summary.json`` as typed records: the run summary, each population's results (standings,
overall mean, rates), the population kinds' dynamics summary (final shares, fixation, mean
payoff). Each record has one ``to_json()`` and one ``from_json()``; the runner writes the file
through them and the readers (``tournament compare``, the report, the command line) parse it
back through them, so the schema is written down here once.

A results folder may come from elsewhere: ``from_json`` checks the type of every field it
types and raises :class:`~tournament.errors.TournamentError` naming the field, instead of a
``KeyError`` later. Fields a record does not type (kind-specific extras such as ``cycles``,
``coalitions``, ``mechanisms``) are kept as they were read, in their place: ``to_json()`` of a
parsed summary gives back the same JSON, key order included (tested), so a summary written
through these records is byte for byte the file written before them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from ..errors import TournamentError
from ..jsonable import jsonable


def _fail(where: str, what: str) -> TournamentError:
    return TournamentError(f"summary.json: {where}: {what}")


def _mapping(value: Any, where: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise _fail(where, f"expected a JSON object, got {type(value).__name__}")
    return value


def _list(value: Any, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _fail(where, f"expected a list, got {type(value).__name__}")
    return value


def _number(value: Any, where: str) -> float | None:
    """A number or None (JSON null: the one NaN policy, see tournament.jsonable)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, f"expected a number, got {value!r:.40}")
    return value


def _int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(where, f"expected an integer, got {value!r:.40}")
    return value


class _Record:
    """A JSON object with some typed fields (the dataclass fields but ``extra`` and ``order``)
    and the rest kept as read. Optional typed fields that are None and were not in the file are
    left out of ``to_json()``."""

    #: field -> parser(value, where) of the typed fields; others are copied as they are
    PARSE: ClassVar[dict[str, Any]] = {}
    #: fields written even when None (the others are written only when set or read)
    ALWAYS: ClassVar[tuple[str, ...]] = ()
    extra: dict
    order: list

    @classmethod
    def _typed(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in ("extra", "order")]  # type: ignore[arg-type]  # every subclass is a dataclass

    @classmethod
    def from_json(cls, data: Any, where: str = ""):
        data = _mapping(data, where or cls.__name__)
        typed = cls._typed()
        kwargs = {}
        for name in typed:
            parse = cls.PARSE.get(name)
            value = data.get(name)
            kwargs[name] = parse(value, f"{where}.{name}" if where else name) if parse else value
        extra = {k: v for k, v in data.items() if k not in typed}
        return cls(**kwargs, extra=extra, order=list(data))  # type: ignore[call-arg]  # the subclass's dataclass __init__

    def to_json(self) -> dict:
        typed = self._typed()
        values = {name: getattr(self, name) for name in typed}
        keys = list(self.order) + [n for n in typed if n not in self.order]
        keys += [k for k in self.extra if k not in keys]
        out = {}
        for key in keys:
            if key in values:
                v = values[key]
                if v is None and key not in self.order and key not in self.ALWAYS:
                    continue
                out[key] = _dump(v)
            elif key in self.extra:
                out[key] = self.extra[key]
        return jsonable(out)


def _dump(value: Any) -> Any:
    if isinstance(value, _Record):
        return value.to_json()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def _records(cls):
    def parse(value: Any, where: str) -> list:
        return [cls.from_json(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where))]

    return parse


def _record_map(cls):
    def parse(value: Any, where: str) -> dict:
        if value is None:
            return {}
        return {str(k): cls.from_json(v, f"{where}.{k}") for k, v in _mapping(value, where).items()}

    return parse


def _optional(cls):
    def parse(value: Any, where: str):
        return None if value is None else cls.from_json(value, where)

    return parse


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"expected text, got {value!r:.40}")
    return value


def _text_list(value: Any, where: str) -> list[str]:
    return [_text(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where))]


@dataclass
class StandingsRow(_Record):
    """One entrant's line of the standings (every kind: see ``analysis.standings.ranked``)."""

    PARSE: ClassVar[dict[str, Any]] = {
        "rank": _int,
        "entrant": _text,
        "mean_payoff": _number,
        "ci_low": _number,
        "ci_high": _number,
        "n": _int,
        "seats": _int,
    }
    ALWAYS: ClassVar[tuple[str, ...]] = ("rank", "entrant", "mean_payoff", "ci_low", "ci_high", "n")
    rank: int | None
    entrant: str
    mean_payoff: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    seats: int | None = None
    deterministic: bool | None = None
    extra: dict = field(default_factory=dict, repr=False)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read


@dataclass
class Rate(_Record):
    """A proportion of matches with its 95% interval (``summary["rates"]``)."""

    PARSE: ClassVar[dict[str, Any]] = {
        "fraction": _number,
        "ci_low": _number,
        "ci_high": _number,
        "count": _int,
        "n": _int,
        "observations": _int,
    }
    ALWAYS: ClassVar[tuple[str, ...]] = ("fraction", "ci_low", "ci_high", "count", "n")
    fraction: float | None
    ci_low: float | None
    ci_high: float | None
    count: int | None
    n: int | None
    observations: int | None = None
    deterministic: bool | None = None
    extra: dict = field(default_factory=dict, repr=False)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read


@dataclass
class MeanInterval(_Record):
    """A mean with its 95% interval: ``overall`` (every seat of every match) and a population
    kind's ``mean_payoff`` (``over`` says over what)."""

    PARSE: ClassVar[dict[str, Any]] = {"mean": _number, "ci_low": _number, "ci_high": _number, "n": _int, "seats": _int}
    ALWAYS: ClassVar[tuple[str, ...]] = ("mean", "ci_low", "ci_high", "n")
    mean: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    seats: int | None = None
    deterministic: bool | None = None
    over: str | None = None
    extra: dict = field(default_factory=dict, repr=False)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read


@dataclass
class ShareRow(_Record):
    """One type's final share in a population kind (mean over runs or generations, interval)."""

    PARSE: ClassVar[dict[str, Any]] = {
        "type": _text,
        "initial": _number,
        "share": _number,
        "ci_low": _number,
        "ci_high": _number,
        "n": _int,
    }
    ALWAYS: ClassVar[tuple[str, ...]] = ("type", "initial", "share", "ci_low", "ci_high", "n")
    type: str
    initial: float | None
    share: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None
    extra: dict = field(default_factory=dict, repr=False)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read


@dataclass
class PopulationSummary(_Record):
    """``summary["population"]`` of the population kinds: the types, their final shares, the
    mean payoff, and per kind the fixations (Moran) or cooperation per type (random matching),
    kept as read in ``extra`` with the kind's other settings."""

    PARSE: ClassVar[dict[str, Any]] = {
        "kind": _text,
        "types": _text_list,
        "final_shares": _records(ShareRow),
        "mean_payoff": _optional(MeanInterval),
    }
    ALWAYS: ClassVar[tuple[str, ...]] = ("kind", "types", "final_shares")
    kind: str
    types: list[str]
    final_shares: list[ShareRow]
    mean_payoff: MeanInterval | None = None
    extra: dict = field(default_factory=dict, repr=False)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read

    @property
    def fixation(self) -> list[dict]:
        return [
            dict(_mapping(f, "population.fixation")) for f in _list(self.extra.get("fixation"), "population.fixation")
        ]

    @property
    def per_type(self) -> list[dict]:
        return [
            dict(_mapping(p, "population.per_type")) for p in _list(self.extra.get("per_type"), "population.per_type")
        ]


@dataclass
class PopulationResults(_Record):
    """What one population's run gives (the top of a one-population ``summary.json``, or one entry
    of ``summary["populations"]``): its entrants, standings, overall mean, match rates and, for
    the population kinds, the dynamics summary."""

    PARSE: ClassVar[dict[str, Any]] = {
        "entrants": _list,
        "n_matches": _int,
        "standings": _records(StandingsRow),
        "overall": _optional(MeanInterval),
        "rates": _record_map(Rate),
        "population": _optional(PopulationSummary),
        "failed_matches": _int,
    }
    entrants: list = field(default_factory=list)
    n_matches: int | None = None
    standings: list[StandingsRow] = field(default_factory=list)
    overall: MeanInterval | None = None
    rates: dict[str, Rate] = field(default_factory=dict)
    population: PopulationSummary | None = None
    failed_matches: int | None = None
    extra: dict = field(default_factory=dict, repr=False)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read

    def to_json(self) -> dict:
        out = super().to_json()
        if not self.rates and "rates" not in self.order:
            out.pop("rates", None)
        if not self.standings and "standings" not in self.order:
            out.pop("standings", None)
        if not self.entrants and "entrants" not in self.order:
            out.pop("entrants", None)
        return out


_HEAD = ("scenario", "description", "source", "seed", "seed_given", "game", "kind", "settings")


@dataclass
class RunSummary:
    """A whole ``summary.json``: what was run (scenario, seed, game, kind, settings), anything
    the scenario adds (``sweep``), and the results of each population — ``results[None]`` for a
    run of one population (whose results sit at the top of the file), by name otherwise."""

    head: dict
    results: dict[str | None, PopulationResults]
    extra: dict = field(default_factory=dict)
    order: list = field(default_factory=list, repr=False, compare=False)  # key order as read

    @property
    def scenario(self) -> str:
        return str(self.head.get("scenario", ""))

    @property
    def game(self) -> dict:
        return dict(_mapping(self.head.get("game") or {}, "game"))

    @property
    def kind(self) -> str:
        return str(self.head.get("kind", ""))

    @property
    def multi(self) -> bool:
        return None not in self.results

    @classmethod
    def from_json(cls, data: Any) -> RunSummary:
        data = _mapping(data, "summary")
        head = {k: data[k] for k in _HEAD if k in data}
        if "populations" in data:
            pops = _mapping(data["populations"], "populations")
            results: dict[str | None, PopulationResults] = {
                str(k): PopulationResults.from_json(v, f"populations.{k}") for k, v in pops.items()
            }
            extra = {k: v for k, v in data.items() if k not in _HEAD and k != "populations"}
        else:
            body = {k: v for k, v in data.items() if k not in _HEAD}
            results = {None: PopulationResults.from_json(body)}
            extra = {}
        return cls(head=head, results=results, extra=extra, order=list(data))

    def to_json(self) -> dict:
        out: dict = {}
        body = self.results[None].to_json() if None in self.results else None
        pops = None if body is not None else {k: v.to_json() for k, v in self.results.items()}
        for key in self.order or list(_HEAD) + list(self.extra) + ["populations"]:
            if key in self.head:
                out[key] = self.head[key]
            elif key == "populations" and pops is not None:
                out[key] = pops
            elif key in self.extra:
                out[key] = self.extra[key]
            elif body is not None and key in body:
                out[key] = body[key]
        for key, value in (body or {}).items():  # results fields that were not in `order`
            out.setdefault(key, value)
        if pops is not None:
            out.setdefault("populations", pops)
        return jsonable(out)
