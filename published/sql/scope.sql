-- Fragment: the measures a query is about (published.reader.Scope); every parameter set must hold.
scope AS (
    SELECT m.id FROM measures m JOIN objectives ob ON ob.id = m.objective_id
    WHERE ($measure::VARCHAR IS NULL OR m.id = $measure)
      AND ($objective::VARCHAR IS NULL OR m.objective_id = $objective)
      AND ($council::VARCHAR IS NULL OR ob.council_id = $council)
      AND ($owner::VARCHAR IS NULL OR m.owner_id = $owner)
      AND ($role::VARCHAR IS NULL OR m.role = $role)
      AND ($partner::VARCHAR IS NULL OR m.owner_id = $partner OR (
            m.role = 'headline'
            AND m.objective_id IN (SELECT p.objective_id FROM objective_partners p WHERE p.org_id = $partner)))
)
