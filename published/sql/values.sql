-- Values of the measures in scope as they stood at $as_at (the shared values-as-at fragment).
WITH {scope}, {values_as_at}
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
       note, load_id, received_at, revised
FROM values_as_at ORDER BY measure_id, breakdown, period_start
