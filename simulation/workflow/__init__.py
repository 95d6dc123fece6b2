"""Scenarios to results.

Scenario files, runs, tables, economics, comparisons, ensembles, executors and the results
store. No plotting (that is :mod:`simulation.reports`).
"""
