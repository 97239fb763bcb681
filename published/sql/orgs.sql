-- Organisations with the index of their colour, chosen at publish so that an organisation has the
-- same colour on every page and no two organisations on one page share one (a warehouse published
-- before colours were chosen falls back to the organisation's place in the table).
orgs AS (
    SELECT g.* REPLACE (coalesce(g.colour_index, CAST(row_number() OVER (ORDER BY g.position, g.id) - 1 AS INTEGER))
                        AS colour_index)
    FROM organisations g
)
