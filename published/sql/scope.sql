-- Fragment: the measures a query is about (published.reader.Scope); every parameter set must hold.
-- And only those the viewer may see (published/access.py): a measure defined `published: false` is
-- seen only by an administrator, members of its council, its owner and its objective's lead.
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
      AND (m.published OR $viewer_admin::BOOLEAN
           OR list_contains($viewer_councils::VARCHAR[], ob.council_id)
           OR m.owner_id = $viewer_org::VARCHAR
           OR m.objective_id IN (SELECT p.objective_id FROM objective_partners p
                                 WHERE p.org_id = $viewer_org::VARCHAR AND p.role = 'lead'))
)
