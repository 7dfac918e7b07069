"""The outlines the maps draw, shipped with the product, and what keeps plotly offline.

Outlines (``sample_data/reference/``, see its SOURCE.md; DOMAIN §3.4):

- ``contours_epci()``: the 52 EPCI with a commune in PACA (GeoJSON, properties ``epci``, ``nom``,
  ``nature``);
- ``contours_communes(departements=(), epci=())``: the 946 communes (properties ``code``,
  ``nom``, ``dep``, ``epci``), or those of the given départements and EPCI;
- ``contours_departements()``: the six départements, computed once as the union of their
  communes (the commune outlines share their borders exactly: the edges two communes of a
  département share cancel out, the others are chained into rings; the rings that turn
  counter-clockwise are holes — the étang de Berre — put back into the ring around them).

Exterior rings turn clockwise, as plotly (d3-geo) expects. The collections are read once and
kept: callers must not modify them (``sous_ensemble`` builds new ones).

Offline (``TOPOLOGIE_VIDE``): plotly.js fetches a world outline (``world_110m.json``) from its
CDN before drawing any geo trace, even with the base map hidden — and ``go.Choropleth`` with
``geojson=`` always is one. The maps set ``geo.scope = "world"`` and ``geo.resolution = 110``
(``NOM_TOPOJSON``), and that name is answered with an empty topology, locally:

- in the app, ``static/world_110m.json`` served by Streamlit at ``app/static/``
  (``server.enableStaticServing``), named by the plotly config ``topojsonURL``
  (``CONFIG_PLOTLY``, passed to ``st.plotly_chart(config=...)``);
- in the standalone HTML report, ``script_assets_geo()``: ``window.PlotlyGeoAssets`` holding
  the empty topology, before plotly.js is loaded;
- for PNG images (kaleido), ``url_topojson_fichier()``: the ``file://`` URL of that folder.
"""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from dashboard.chemins import REFERENCE_DIR, STATIC_DIR

DOSSIER_REFERENCE = REFERENCE_DIR
FICHIER_COMMUNES = DOSSIER_REFERENCE / "paca_communes.geojson"
FICHIER_EPCI = DOSSIER_REFERENCE / "paca_epci.geojson"

# Feature keys (plotly's ``featureidkey``).
CLE_EPCI = "properties.epci"
CLE_COMMUNE = "properties.code"
CLE_DEPARTEMENT = "properties.dep"

# --- offline ---------------------------------------------------------------------------------

NOM_TOPOJSON = "world_110m"          # plotly.js: scope "world", resolution 110
TOPOLOGIE_VIDE = {"type": "Topology", "objects": {}, "arcs": []}
DOSSIER_STATIQUE = STATIC_DIR  # served by Streamlit at app/static/
FICHIER_TOPOJSON = DOSSIER_STATIQUE / f"{NOM_TOPOJSON}.json"
# Relative to the page's address (``/bilan`` → ``/app/static/world_110m.json``; under a
# ``server.baseUrlPath`` ``/flux/bilan`` → ``/flux/app/static/…``).
URL_TOPOJSON_APPLICATION = "app/static/"
CONFIG_PLOTLY = {"topojsonURL": URL_TOPOJSON_APPLICATION}


def url_topojson_fichier() -> str:
    """``file:///…/static/``: where kaleido's browser finds ``world_110m.json``."""
    return DOSSIER_STATIQUE.as_uri() + "/"


def script_assets_geo() -> str:
    """A ``<script>`` giving plotly.js the empty world topology (standalone HTML): put it
    before plotly.js; plotly then fetches nothing."""
    topologie = json.dumps(TOPOLOGIE_VIDE, separators=(",", ":"))
    return ("<script>window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};"
            "window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};"
            f"window.PlotlyGeoAssets.topojson[\"{NOM_TOPOJSON}\"] = {topologie};</script>")


# --- outlines --------------------------------------------------------------------------------


@functools.cache
def _lire(chemin: Path) -> dict:
    return json.loads(chemin.read_text(encoding="utf-8"))


def contours_epci() -> dict:
    """The 52 EPCI (a FeatureCollection; read-only)."""
    return _lire(FICHIER_EPCI)


def _toutes_communes() -> dict:
    return _lire(FICHIER_COMMUNES)


def sous_ensemble(collection: dict, garder) -> dict:
    """A new FeatureCollection of the features for which ``garder(properties)`` is true (the
    features themselves are shared, not copied)."""
    return {"type": "FeatureCollection",
            "features": [f for f in collection["features"] if garder(f["properties"])]}


def contours_communes(departements: Iterable[str] = (), epci: Iterable[str] = ()) -> dict:
    """The communes of the given départements and EPCI, read as the bilan's filters are: a
    commune is kept when it is in one of the départements (if any is given) and in one of the
    EPCI (if any is given); all 946 when both are empty."""
    deps, sirens = set(departements), set(epci)
    if not deps and not sirens:
        return _toutes_communes()
    return sous_ensemble(_toutes_communes(),
                         lambda p: (not deps or p.get("dep") in deps)
                         and (not sirens or p.get("epci") in sirens))


def _anneaux(geometrie: dict) -> list[list]:
    if geometrie["type"] == "Polygon":
        return geometrie["coordinates"]
    return [anneau for polygone in geometrie["coordinates"] for anneau in polygone]


def aire_signee(anneau: list) -> float:
    """Shoelace area in degrees² (longitude, latitude): negative when the ring turns clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(anneau, anneau[1:])) / 2


def _dedans(point, anneau: list) -> bool:
    """Ray casting: is ``point`` inside the ring?"""
    x, y = point
    dedans = False
    for (x1, y1), (x2, y2) in zip(anneau, anneau[1:]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            dedans = not dedans
    return dedans


def union(geometries: Iterable[dict]) -> dict:
    """The union of polygons that share their borders exactly (same vertices on both sides): a
    MultiPolygon whose exterior rings turn as the inputs' and whose holes are the rings turning
    the other way, each in the exterior ring that holds it."""
    aretes: set[tuple] = set()
    for geometrie in geometries:
        for anneau in _anneaux(geometrie):
            for a, b in zip(anneau, anneau[1:]):
                aretes.add((tuple(a), tuple(b)))
    bord = [(a, b) for a, b in aretes if (b, a) not in aretes]
    suivants: dict[tuple, list] = defaultdict(list)
    for a, b in sorted(bord):
        suivants[a].append(b)
    anneaux, vues = [], set()
    for depart in sorted(bord):
        if depart in vues:
            continue
        anneau, arete = [depart[0]], depart
        while arete not in vues:
            vues.add(arete)
            anneau.append(arete[1])
            libres = [c for c in suivants[arete[1]] if (arete[1], c) not in vues]
            if not libres:
                break
            arete = (arete[1], libres[0])
        anneaux.append([list(p) for p in anneau])
    exterieurs = [[a] for a in anneaux if aire_signee(a) < 0]
    trous = [a for a in anneaux if aire_signee(a) > 0]
    for trou in trous:
        hotes = [p for p in exterieurs if _dedans(trou[0], p[0])]
        if hotes:   # the smallest ring around it
            min(hotes, key=lambda p: abs(aire_signee(p[0]))).append(trou)
    return {"type": "MultiPolygon", "coordinates": exterieurs}


@functools.cache
def _departements() -> dict:
    par_departement: dict[str, list] = defaultdict(list)
    for f in _toutes_communes()["features"]:
        par_departement[f["properties"]["dep"]].append(f["geometry"])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"dep": dep}, "geometry": union(geometries)}
        for dep, geometries in sorted(par_departement.items())]}


def contours_departements() -> dict:
    """The six départements of PACA (property ``dep``), unions of their communes (read-only)."""
    return _departements()
