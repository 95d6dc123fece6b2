"""The interactive browser model: the page (``page``), its model (``model``) and the
``prevsim app`` server (``server``).
"""
