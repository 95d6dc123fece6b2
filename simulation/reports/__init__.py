"""Every chart and every written report.

Runs, comparisons, ensembles, sensitivity studies, calibrations and briefings. The only home of
matplotlib and reportlab.
"""
