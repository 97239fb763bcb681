-- The organisations that are members of council $council, in order, with their colour.
WITH {orgs}
SELECT g.id, g.name, g.short_name, g.kind, g.colour_index
FROM council_members cm JOIN orgs g ON g.id = cm.org_id
WHERE cm.council_id = $council
ORDER BY cm.position, g.position, g.id
