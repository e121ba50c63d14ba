"""The results folder: writing and reading its files (:mod:`.outputs`: ``summary.json``,
``matches.csv``, ``rounds.npz``, streamed as matches arrive) and the folder itself
(:mod:`.folder`: lock, staging, replacing the previous results only once all are written), and
``summary.json`` as typed records (:mod:`.summary`)."""
