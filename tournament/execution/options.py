"""How a run is carried out (workers, backend, checkpoint, output stream): never what it computes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class RunOptions:
    """How to run (not what): never changes the results."""

    workers: int = 1
    progress: bool = False
    out: str | None = None
    backend: str = "processes"  # "processes" (workers local processes) or "dask"
    scheduler: str | None = None  # Dask scheduler address; None starts a LocalCluster
    checkpoint: Any = None  # tournament.execution.checkpoint.Checkpoint while writing to `out`
    scope: str = ""  # checkpoint namespace (the population's name)
    sink: Any = None  # tournament.output.outputs.MatchStream writing this population's match rows
    engine: str = "auto"  # "auto": automaton matches on the batch engine; "python": every match per round
