"""Routes follow searoute's maritime network; planted offshore spots are outside port."""

from __future__ import annotations

import numpy as np

from darkfleet.simulate.geo import haversine_m
from darkfleet.simulate.presets import resolve
from darkfleet.simulate.routes import IN_PORT_M, distance_to_network_m, distance_to_port_m
from darkfleet.simulate.scenario import plan_scenario


def test_every_inner_route_vertex_is_a_marnet_vertex():
    scn = plan_scenario(resolve("tiny"))
    routes = scn.routes
    checked = 0
    for i in range(len(routes)):
        for j in range(len(routes)):
            if i == j:
                continue
            path = routes.path(i, j)
            inner = path[1:-1]  # the ends are the ports themselves
            assert distance_to_network_m(inner[:, 0], inner[:, 1]).max() < 5.0
            checked += len(inner)
    assert checked > 100


def test_route_ends_at_the_ports_and_has_no_zero_length_legs():
    scn = plan_scenario(resolve("tiny"))
    path = scn.routes.path(0, 1)
    assert np.allclose(path[0], [scn.routes.lat[0], scn.routes.lon[0]])
    assert np.allclose(path[-1], [scn.routes.lat[1], scn.routes.lon[1]])
    legs = haversine_m(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1])
    assert (legs > 1.0).all()


def test_planted_spots_are_outside_port():
    scn = plan_scenario(resolve("tiny"))
    spots = np.array([u.params["spot"] for u in scn.units if "spot" in u.params])
    assert len(spots) >= 10
    assert (distance_to_port_m(spots[:, 0], spots[:, 1]) > IN_PORT_M).all()
