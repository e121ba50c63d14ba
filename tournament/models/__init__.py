"""The Mesa models that run the tournament kinds (each kind is declared in
:mod:`tournament.kinds`, and its ``run`` is the ``run`` function of its module here):

- :mod:`.round_robin`: ``RoundRobinModel``, the round robin (and the types' matches of the
  population kinds);
- :mod:`.payoffs`: the type-against-type payoff table estimated from those matches;
- :mod:`.shares`: ``EcologicalModel`` and ``ReplicatorModel``, infinite populations;
- :mod:`.moran`: ``MoranModel``, a finite population under the Moran process;
- :mod:`.random_matching`: ``RandomMatchingModel``, new random groups every round.
"""
