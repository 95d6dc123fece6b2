"""The interactive browser model.

The page (``page``), its model (``model``) and the ``prevsim app`` server (``server``).
"""
