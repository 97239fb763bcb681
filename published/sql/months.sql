-- the months in which loads arrived: the choices of the "as of" picker
SELECT DISTINCT strftime(received_at, '%Y-%m') AS month FROM loads ORDER BY month DESC
