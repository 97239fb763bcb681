-- Councils, organisations, objectives and measures whose words hold every word searched for, each
-- at the start of a word and case-insensitive ("burglar" finds "burglaries"; "art" does not find
-- "quarter"). Searched: what a reader is shown, the name and the text shown with it (a council's
-- goal, an organisation's short name, an objective's statement, a measure's description); never an
-- id, which no page shows (ids appear only in addresses and in the files people download or submit).
-- Best first: a name that starts with the text; then councils, organisations, objectives, measures
-- (the results page lists them in that order), each with the names holding every word first.
WITH {scope},
searched AS (
    -- a word is a run of letters and digits, accents set aside ("Étienne" is found by "etienne"): ASCII's, and
    -- Unicode's by block, leaving out its spaces and punctuation (no-break space, curly quotes, dashes: U+00A0
    -- to U+00BF, U+2000 to U+206F, U+2190 to U+2BFF, U+2E00 to U+303F); cheaper than \p{L}, which doubled a
    -- search's time at state scale. "care_agency" and "children’s" are two words each, "%" none
    SELECT list_filter(string_split_regex(strip_accents(lower($text)), '[^a-z0-9\x{c0}-\x{1fff}\x{2070}-\x{218f}\x{2c00}-\x{2dff}\x{3040}-\x{10ffff}]+'), lambda w: w <> '')[1:8] AS words
),
hits AS (
    SELECT 'council' AS kind, c.id, c.name, c.goal AS context, c.goal AS shown, 1 AS kind_order,
           c.position AS position
    FROM councils c
    UNION ALL
    SELECT 'org', g.id, g.name, g.short_name, g.short_name, 2, g.position
    FROM organisations g
    UNION ALL
    SELECT 'objective', o.id, o.name, c.name, o.statement, 3, c.position * 1000 + o.position
    FROM objectives o JOIN councils c ON c.id = o.council_id
    UNION ALL
    SELECT 'measure', m.id, m.name, g.name || ' · ' || o.name, m.description, 4, m.position
    FROM measures m JOIN objectives o ON o.id = m.objective_id JOIN organisations g ON g.id = m.owner_id
    WHERE m.id IN (SELECT id FROM scope)  -- only measures the viewer may see
),
spelt AS (
    -- each text as its words with a space before each, so that ' ' || word is found only at a word's start
    SELECT h.*, s.words,
           ' ' || regexp_replace(strip_accents(lower(h.name)), '[^a-z0-9\x{c0}-\x{1fff}\x{2070}-\x{218f}\x{2c00}-\x{2dff}\x{3040}-\x{10ffff}]+', ' ', 'g') AS name_words,
           ' ' || regexp_replace(strip_accents(lower(coalesce(h.shown, ''))), '[^a-z0-9\x{c0}-\x{1fff}\x{2070}-\x{218f}\x{2c00}-\x{2dff}\x{3040}-\x{10ffff}]+', ' ', 'g') AS shown_words
    FROM hits h, searched s
),
final AS (
    SELECT kind, id, name, context, kind_order, position,
           starts_with(lower(name), lower($text)) AS starts,
           len(list_filter(words, lambda w: contains(name_words, ' ' || w))) = len(words) AS in_name,
           len(list_filter(words, lambda w: contains(name_words || shown_words, ' ' || w))) = len(words) AS found
    FROM spelt
    WHERE len(words) > 0
)
SELECT kind, id, name, context FROM final
WHERE found
ORDER BY NOT starts, kind_order, NOT in_name, position, name
LIMIT $limit
