"""Questions asked of many runs.

Sensitivity analysis, calibration to national data, and the numbers behind a briefing. Built on
:mod:`simulation.workflow`; no plotting.
"""
