"""The published warehouse, read: the one way into it for the dashboard, the command line and
later the review pack and the static export.

    reader      Warehouse: read-only queries with bound parameters, returning DataFrames
    judgements  the judgements stored at publish (exceptions, health, assessments, statuses)
    exports     files handed out (CSV made safe to open in a spreadsheet)

Depends on goal_councils and etl only; Dash does not own it.
"""
