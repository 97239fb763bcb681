-- Fragment: which of a run's stored flows of service $service this viewer is shown: 'all' (from every
-- stage) when they may see every measure the service's stages name, else 'public' (from the public
-- stages alone, so that nothing shown is derived from a figure they may not see).
audience AS (
    SELECT CASE WHEN EXISTS (SELECT 1 FROM service_stage_measures sm
                             WHERE sm.service_id = $service AND sm.measure_id NOT IN (SELECT id FROM scope))
                  OR NOT EXISTS (SELECT 1 FROM service_periods p
                                 WHERE p.service_id = $service AND p.run_id = $run AND p.audience = 'all')
                THEN 'public' ELSE 'all' END AS name
)
