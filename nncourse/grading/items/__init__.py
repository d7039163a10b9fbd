"""Visible tests of the graded exercise items, one module per exercise notebook.

``items/exNN.py`` holds ``ITEMS = {"exNN-name": Item(test, title=..., hidden=...)}`` for
``solutions/exNN_<topic>.ipynb``; see ``solutions/README.md``.
"""
