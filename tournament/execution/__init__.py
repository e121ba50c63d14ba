"""Running the work of a tournament: the unit of work (:mod:`.tasks`: play one match, make its
``matches.csv`` row), the executor that runs tasks in this process, on worker processes or on
Dask (:mod:`.executor`), the checkpoint of finished tasks (:mod:`.checkpoint`) and the checks
of the records read back from it (:mod:`.records`), progress bars (:mod:`.progress`) and the
options of a run (:mod:`.options`)."""

from ..plugins import lazy_exports

_EXPORTS = {
    "Executor": ".executor",
    "available_workers": ".executor",
    "default_chunk_size": ".executor",
    "MatchContext": ".tasks",
    "MatchRecord": ".tasks",
    "MatchTask": ".tasks",
    "play_task": ".tasks",
    "Checkpoint": ".checkpoint",
    "RunOptions": ".options",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
