"""Benchmarks for the budgets in DESIGN.md §7: figures printed beside floors from the same run.

`python -m bench [floors] [tap] [checkout] [page]` starts gunicorn on scratch databases, drives it
over HTTP like the tills do, prints a table and cleans up. Nothing here passes or fails.
"""
