"""Make data/borders.yml: simplified land borders and coasts for the lesson map.

Source: Natural Earth 1:50m "Admin 0 - Countries" (public domain), as redistributed in the
npm package world-atlas 2.0.2 (TopoJSON, file countries-50m.json). Reproduce with:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python data/make_borders.py package/countries-50m.json > data/borders.yml

Each TopoJSON arc is shared by the countries on both sides of it: an arc used by two
countries is a land border, an arc used by one is a coast. Arcs are clipped to the map's
window, simplified (Douglas-Peucker, 0.02 degrees, about 2 km) and rounded to 0.01 degrees.
This script is run by hand, never at build time; the build reads only the YAML.
"""

from __future__ import annotations

import json
import math
import sys

WEST, EAST, SOUTH, NORTH = 33.0, 54.0, 30.0, 39.0  # a little wider than the map's bounds
TOLERANCE = 0.02


def decode(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def arc_ids(geometry: dict) -> list[int]:
    nested = geometry["arcs"]
    rings = nested if geometry["type"] == "Polygon" else [r for poly in nested for r in poly]
    return [i if i >= 0 else ~i for ring in rings for i in ring]


def inside(point: tuple[float, float]) -> bool:
    return WEST <= point[0] <= EAST and SOUTH <= point[1] <= NORTH


def clip(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Runs of points inside the window, each extended by one point outside for continuity."""
    runs, current = [], []
    for n, point in enumerate(points):
        if inside(point):
            if not current and n > 0:
                current.append(points[n - 1])
            current.append(point)
        elif current:
            current.append(point)
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return [run for run in runs if len(run) >= 2]


def simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    length = math.hypot(x2 - x1, y2 - y1)
    worst, index = 0.0, 0
    for n in range(1, len(points) - 1):
        x0, y0 = points[n]
        if length == 0:
            distance = math.hypot(x0 - x1, y0 - y1)
        else:
            distance = abs((y2 - y1) * x0 - (x2 - x1) * y0 + x2 * y1 - y2 * x1) / length
        if distance > worst:
            worst, index = distance, n
    if worst <= TOLERANCE:
        return [points[0], points[-1]]
    return simplify(points[:index + 1])[:-1] + simplify(points[index:])


def main(path: str) -> None:
    topology = json.load(open(path, encoding="utf-8"))
    arcs = decode(topology)
    users: dict[int, list[str]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        for i in arc_ids(geometry):
            users.setdefault(i, []).append(geometry["properties"]["name"])
    print("\n".join(f"# {line}".rstrip() for line in __doc__.strip().splitlines()))
    print("source: Natural Earth 1:50m Admin 0 countries v4.1.0 (public domain), npm package "
          "world-atlas 2.0.2; clipped, simplified to 0.02°, rounded to 0.01°")
    print("lines:")
    for i in sorted(users):
        names = sorted(set(users[i]))
        if names == ["Cyprus", "N. Cyprus"]:  # a ceasefire line, not a border between states
            continue
        for run in clip(arcs[i]):
            points = []
            for x, y in simplify(run):
                point = [round(x, 2), round(y, 2)]
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) < 2:
                continue
            kind = "border" if len(names) == 2 else "coast"
            coords = ", ".join(f"[{x:g}, {y:g}]" for x, y in points)
            print(f"  - {{kind: {kind}, countries: [{', '.join(names)}], points: [{coords}]}}")


if __name__ == "__main__":
    main(sys.argv[1])
