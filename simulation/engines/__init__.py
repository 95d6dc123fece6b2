"""The two engines that integrate the model: system dynamics (``sd``) and agents (``abm``).

Both read their inputs through :mod:`simulation.engines.inputs` and return an
:class:`~simulation.engines.results.EngineResult`. Imports only from :mod:`simulation.model`.
"""
