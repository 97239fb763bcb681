-- when each measure's newest figure arrived, as at $as_at ({received}: etl/sql/newest_received.sql, or as
-- the publish step kept it for now)
WITH {scope}, {received}
SELECT measure_id, last_received FROM received
