"""Live view: watch a scenario run in the browser (``tournament view SCENARIO.toml``).

A Mesa SolaraViz page per kind of scenario, stepping the same Mesa models that
``tournament run`` runs (:mod:`.models`, which needs Mesa only). The page itself
(:mod:`.app`, :mod:`.server`) needs the optional ``[view]`` extra (Solara, served with its
front-end assets from the ``solara-assets`` package, so it works without internet access);
``import tournament`` never imports Solara.
"""
