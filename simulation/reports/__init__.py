"""Every chart and every written report (runs, comparisons, ensembles, sensitivity studies,
calibrations, briefings). The only home of matplotlib and reportlab.
"""
