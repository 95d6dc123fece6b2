"""The interactive browser model.

The page (``page``, its parts in ``widgets``), its model (``model``), the paired replicates
that show how much is noise (``replicates``), the downloads (``exports``), the map's
indicators (``mapping``), every text in Lithuanian and English (``text``) and the
``prevsim app`` server (``server``).
"""
