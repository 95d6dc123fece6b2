"""Benchmarks of the engines and workflows (``make bench``).

Each benchmark script prints its figures as a JSON line last. ``abm_reference`` is the Mesa
reference model the fast agent-based engine is checked and timed against.
"""
