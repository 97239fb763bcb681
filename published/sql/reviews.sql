-- The review schedule (the definitions' `reviews:`): the council reviewed in each month, oldest first,
-- with the day it meets; $council: that council's reviews only.
SELECT r.month, r.council_id, c.name AS council_name, r.meeting_date
FROM review_schedule r JOIN councils c ON c.id = r.council_id
WHERE $council::VARCHAR IS NULL OR r.council_id = $council
ORDER BY r.month
