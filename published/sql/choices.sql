-- What a list can be filtered by, in one statement: every council, organisation and objective (kind,
-- id, name), each kind in the order of councils.sql, organisations.sql and objectives.sql.
SELECT kind, id, name FROM (
    SELECT 1 AS part, row_number() OVER (ORDER BY position, id) AS n, 'council' AS kind, id, name FROM councils
    UNION ALL
    SELECT 2, row_number() OVER (ORDER BY position, id), 'organisation', id, name FROM organisations
    UNION ALL
    SELECT 3, row_number() OVER (ORDER BY c.position, c.id, o.position, o.id), 'objective', o.id, o.name
    FROM objectives o JOIN councils c ON c.id = o.council_id
)
ORDER BY part, n
