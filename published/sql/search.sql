-- Names (or ids) that contain every word searched for (case-insensitive), best first: a name
-- that starts with the text, then councils, organisations, objectives, measures.
WITH {scope},
hits AS (
    SELECT 'council' AS kind, c.id, c.name, c.goal AS context, 1 AS kind_order, c.position AS position
    FROM councils c
    UNION ALL
    SELECT 'org', g.id, g.name, g.short_name, 2, g.position
    FROM organisations g
    UNION ALL
    SELECT 'objective', o.id, o.name, c.name, 3, c.position * 1000 + o.position
    FROM objectives o JOIN councils c ON c.id = o.council_id
    UNION ALL
    SELECT 'measure', m.id, m.name, g.name || ' · ' || o.name, 4, m.position
    FROM measures m JOIN objectives o ON o.id = m.objective_id JOIN organisations g ON g.id = m.owner_id
    WHERE m.id IN (SELECT id FROM scope)  -- only measures the viewer may see
),
final AS (
    SELECT kind, id, name, context, kind_order, position,
           starts_with(lower(name), lower($text)) AS starts
    FROM hits
    WHERE len(list_filter($words::VARCHAR[],
              lambda w: contains(lower(name || ' ' || id), w))) = len($words)
)
SELECT kind, id, name, context FROM final
ORDER BY NOT starts, kind_order, position, name
LIMIT $limit
