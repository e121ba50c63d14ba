"""The engine: one match as a Mesa model (:mod:`.match`: ``MatchModel``, ``play_match``), what
it produces (:mod:`.result`: ``MatchResult``) and the batch engine that plays matches of
finite automata together (:mod:`.batch`), with identical results.

The engine knows nothing of scenarios, tasks or results files: it plays matches and returns
``MatchResult``s (``tournament.execution.tasks`` turns them into ``matches.csv`` rows).
"""
