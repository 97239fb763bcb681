"""Extract, validate, load and publish submissions into the DuckDB warehouse.

Depends on goal_councils only.
"""
