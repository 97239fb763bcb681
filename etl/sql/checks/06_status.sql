-- status vocabulary, and the pairing of status and value
SELECT file, "row", CASE WHEN status NOT IN ('', 'provisional', 'estimated', 'suppressed') THEN 'status'
                         ELSE 'value' END AS "column",
       CASE WHEN status NOT IN ('', 'provisional', 'estimated', 'suppressed') THEN status ELSE value_raw END AS value,
       CASE WHEN status NOT IN ('', 'provisional', 'estimated', 'suppressed')
                THEN 'status must be provisional, estimated, suppressed or empty'
            WHEN status = 'suppressed' THEN 'a suppressed value must be left empty'
            ELSE 'value is empty; mark it suppressed if it is withheld' END AS reason
FROM parsed
WHERE status NOT IN ('', 'provisional', 'estimated', 'suppressed')
   OR (status = 'suppressed' AND value_raw <> '')
   OR (status <> 'suppressed' AND value_raw = '')
