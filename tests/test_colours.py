"""Organisation colours: no page shows two organisations in one colour."""

from goal_councils.colours import colour_indices, shown_together


def test_no_two_organisations_in_a_group_share_a_colour():
    groups = [{"a", "b", "c"}, {"c", "d"}, {"d", "a", "e"}]
    colours = colour_indices(["a", "b", "c", "d", "e"], groups)
    for g in groups:
        assert len({colours[o] for o in g}) == len(g)
    assert max(colours.values()) == 2  # three colours suffice: the largest group has three


def test_the_first_colours_go_furthest_and_strangers_may_share():
    colours = colour_indices(["a", "b", "c", "d"], [{"a", "b"}, {"c", "d"}])
    assert sorted(colours.values()) == [0, 0, 1, 1]


def test_the_demo_needs_no_colour_twice_on_any_page():
    from dashboard.figures import ORG_PALETTE
    from etl.demo import load_demo_definitions

    defs = load_demo_definitions()
    groups = shown_together(defs)
    colours = colour_indices(defs.organisations, groups)
    assert max(colours.values()) < len(ORG_PALETTE)
    river = next(o for c in defs.councils.values() for o in c.objectives if o.id.startswith("river"))
    assert {p.org for p in river.partners} in groups
    for g in groups:
        assert len({colours[o] for o in g}) == len(g), g
