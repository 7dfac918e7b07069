"""Streamlit's own words in French.

Streamlit 1.67 writes its widgets' words in English and has no setting for another language:
the file uploader's « Upload » and « 200MB per file », a select's « Choose an option » and « No
results », a multiselect's « Select all », the tables' toolbar (« Download as CSV », « Search »,
« Fullscreen ») and column menu (« Sort ascending »…), the « Page not found » dialog… What a
widget parameter can say is said with it (``placeholder=``); the rest is translated in the
browser: ``installer()`` (called by app.py on every run) adds a small script that rewrites these
texts — whole text nodes, and the ``title``, ``aria-label``, ``placeholder`` and
``data-title`` (plotly's mode bar) attributes —
whenever Streamlit draws them. It only replaces a text that is exactly one of ``TRADUCTIONS``
(or matches one of ``MOTIFS``): a value of the data is never a whole English sentence of
Streamlit's, and the tables' cells are drawn on a canvas, out of its reach.

Plotly's mode bar (« Download plot as a png », « Autoscale »…) is translated the same way: its
tooltips are ``data-title`` attributes.
"""

from __future__ import annotations

import json

import streamlit as st

# Streamlit's texts (as its frontend writes them) -> French.
TRADUCTIONS: dict[str, str] = {
    # selects, multiselects, number inputs
    "Choose an option": "Choisir une option",
    "Choose options": "Choisir des options",
    "Choose or add an option": "Choisir ou ajouter une option",
    "Choose or add options": "Choisir ou ajouter des options",
    "No results": "Aucun résultat",
    "No options": "Aucune option",
    "No options to select.": "Aucune option à choisir.",
    "Select all": "Tout sélectionner",
    "Clear all": "Tout effacer",
    "Clear value": "Effacer",
    "Open": "Ouvrir",
    "Selected values": "Valeurs choisies",
    "Increment": "Augmenter",
    "Decrement": "Diminuer",
    "Number is above the allowed range.": "Nombre au-dessus de la valeur permise.",
    "Number is below the allowed range.": "Nombre en dessous de la valeur permise.",
    # dates
    "Choose date": "Choisir une date",
    "Choose date range": "Choisir une période",
    # file uploader
    "Upload": "Parcourir",
    "Upload directories": "Parcourir les dossiers",
    "Add files": "Ajouter des fichiers",
    "Drag and drop a file here": "Glissez-déposez un fichier ici",
    "Drag and drop files here": "Glissez-déposez des fichiers ici",
    "Drag and drop directories here": "Glissez-déposez des dossiers ici",
    "Remove file": "Retirer le fichier",
    "Delete": "Supprimer",
    # tables: toolbar, search, column menu, statistics
    "Download as CSV": "Télécharger en CSV",
    "Search": "Rechercher",
    "Type to search": "Tapez pour rechercher",
    "Next Result": "Résultat suivant",
    "Previous Result": "Résultat précédent",
    "Close Search": "Fermer la recherche",
    "Fullscreen": "Plein écran",
    "Close fullscreen": "Quitter le plein écran",
    "Show/hide columns": "Afficher ou masquer des colonnes",
    "Clear selection": "Effacer la sélection",
    "Add row": "Ajouter une ligne",
    "Delete row(s)": "Supprimer les lignes",
    "Sort ascending": "Tri croissant",
    "Sort descending": "Tri décroissant",
    "Format": "Format",
    "Autosize": "Largeur automatique",
    "Pin column": "Épingler la colonne",
    "Unpin column": "Libérer la colonne",
    "Hide column": "Masquer la colonne",
    "Copy column name": "Copier le nom de la colonne",
    "Rename": "Renommer",
    "Automatic": "Automatique",
    "Localized": "Selon la langue",
    "Plain": "Brut",
    "Compact": "Compact",
    "Percent": "Pourcentage",
    "Scientific": "Scientifique",
    "Accounting": "Comptable",
    "Statistics": "Statistiques",
    "Count": "Nombre",
    "Distinct": "Valeurs distinctes",
    "Empty": "Vides",
    "Sum": "Somme",
    "Average": "Moyenne",
    "Median": "Médiane",
    "Minimum": "Minimum",
    "Maximum": "Maximum",
    "Standard deviation": "Écart type",
    "Average length": "Longueur moyenne",
    "Minimum length": "Longueur minimale",
    "Maximum length": "Longueur maximale",
    "Loading...": "Chargement…",
    "No data": "Aucune donnée",
    "Copy to clipboard": "Copier",
    # plotly's mode bar above a chart (its tooltips are data-title attributes)
    "Download plot as a png": "Télécharger le graphique (PNG)",
    "Download plot as a PNG": "Télécharger le graphique (PNG)",
    "Download plot as an SVG": "Télécharger le graphique (SVG)",
    "Download plot": "Télécharger le graphique",
    "Zoom": "Zoom",
    "Pan": "Déplacer",
    "Box Select": "Sélection rectangulaire",
    "Lasso Select": "Sélection au lasso",
    "Zoom in": "Zoom avant",
    "Zoom out": "Zoom arrière",
    "Autoscale": "Échelle automatique",
    "Reset axes": "Réinitialiser les axes",
    "Reset view": "Réinitialiser la vue",
    "Reset": "Réinitialiser",
    "Toggle Spike Lines": "Lignes de repère",
    "Show closest data on hover": "Survol : donnée la plus proche",
    "Compare data on hover": "Survol : comparer les données",
    "Double-click to zoom back out": "Double-cliquez pour revenir",
    "Double-click on legend to isolate one trace": "Double-cliquez sur la légende pour isoler une série",
    "Taking snapshot - this may take a few seconds": "Image en cours de création…",
    "Snapshot succeeded": "Image créée",
    # the app around the pages
    "Page not found": "Page introuvable",
    "Connection error": "Erreur de connexion",
    "Connecting": "Connexion…",
    "Please wait...": "Veuillez patienter…",
    "Running...": "Calcul en cours…",
    "Stop": "Arrêter",
    "Main menu": "Menu principal",
    "Collapse sidebar": "Replier le panneau latéral",
    "Expand sidebar": "Déplier le panneau latéral",
    "Skip to main content": "Aller au contenu",
    "View more": "Voir plus",
    "View less": "Voir moins",
    "Scroll tabs left": "Onglets précédents",
    "Scroll tabs right": "Onglets suivants",
    "Close": "Fermer",
    "Rerun": "Relancer",
    "Reconnected to server.": "Reconnecté au serveur.",
    # read aloud only (aria-label)
    "App pages": "Pages de l'application",
    "Sidebar": "Panneau latéral",
    "Link to heading": "Lien vers ce titre",
    "file upload": "dépôt de fichier",
    "Dataframe column menu": "Menu de la colonne",
    "Previous month": "Mois précédent",
    "Next month": "Mois suivant",
}

# (JavaScript regular expression, replacement): texts that carry a value. The replacement is a
# function of the script (its name) or a text where $1 is the part in brackets.
_UNITES = "{'B': 'o', 'KB': 'Ko', 'MB': 'Mo', 'GB': 'Go'}"
MOTIFS: list[tuple[str, str]] = [
    # « 200MB per file » → « 200 Mo par fichier »
    (r"^(\d+(?:\.\d+)?)\s?(B|KB|MB|GB) per file$", "taille_par_fichier"),
    # an uploaded file's size: « 1.2KB » → « 1,2 Ko »
    (r"^(\d+(?:\.\d+)?)\s?(B|KB|MB|GB)$", "taille"),
    (r"^The page that you have requested does not seem to exist", "page_introuvable"),
    (r"^Is Streamlit still running\?", "serveur_arrete"),
    # read aloud (aria-label): a file's delete button, a help icon, a date's fields
    (r"^Remove (.+)$", "Retirer $1"),
    (r"^Help for (.+)$", "Aide : $1"),
    (r"^day, (.+)$", "jour, $1"),
    (r"^month, (.+)$", "mois, $1"),
    (r"^year, (.+)$", "année, $1"),
    (r"^Choose date, (.+)$", "Choisir une date, $1"),
]

_SCRIPT = """
<span class="flux-francais" hidden></span>
<script>
(function () {
  if (window.__fluxFrancais) { return; }
  window.__fluxFrancais = true;
  var T = %(traductions)s;
  var UNITES = %(unites)s;
  var MOTIFS = %(motifs)s.map(function (m) { return [new RegExp(m[0]), m[1]]; });
  var REMPLACER = {
    taille_par_fichier: function (r) {
      return r[1].replace(".", ",") + "\\u00a0" + UNITES[r[2]] + " par fichier"; },
    taille: function (r) { return r[1].replace(".", ",") + "\\u00a0" + UNITES[r[2]]; },
    page_introuvable: function () {
      return "Cette adresse ne correspond à aucune page : voici la page d'accueil."; },
    serveur_arrete: function () {
      return "Le serveur ne répond plus : rechargez la page dans un instant."; }
  };
  function traduire(texte) {
    var nu = texte.trim();
    if (!nu) { return null; }
    if (Object.prototype.hasOwnProperty.call(T, nu)) { return texte.replace(nu, T[nu]); }
    for (var i = 0; i < MOTIFS.length; i++) {
      var r = MOTIFS[i][0].exec(nu);
      if (!r) { continue; }
      var remplacement = REMPLACER[MOTIFS[i][1]];
      return texte.replace(nu, remplacement ? remplacement(r)
                                            : MOTIFS[i][1].replace("$1", r[1]));
    }
    return null;
  }
  var ATTRIBUTS = ["title", "aria-label", "placeholder", "data-title"];
  function attributs(el) {
    for (var i = 0; i < ATTRIBUTS.length; i++) {
      var v = el.getAttribute(ATTRIBUTS[i]);
      if (!v) { continue; }
      var f = traduire(v);
      if (f !== null && f !== v) { el.setAttribute(ATTRIBUTS[i], f); }
    }
  }
  function texte(n) {
    var f = traduire(n.nodeValue);
    if (f !== null && f !== n.nodeValue) { n.nodeValue = f; }
  }
  function parcourir(racine) {
    if (racine.nodeType === 3) { texte(racine); return; }
    if (racine.nodeType !== 1) { return; }
    if (racine.tagName === "SCRIPT" || racine.tagName === "STYLE") { return; }
    attributs(racine);
    var w = document.createTreeWalker(racine, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    var n;
    while ((n = w.nextNode())) {
      if (n.nodeType === 3) { texte(n); } else { attributs(n); }
    }
  }
  new MutationObserver(function (mutations) {
    for (var i = 0; i < mutations.length; i++) {
      var m = mutations[i];
      if (m.type === "childList") { m.addedNodes.forEach(parcourir); }
      else if (m.type === "characterData") { texte(m.target); }
      else if (m.type === "attributes") { attributs(m.target); }
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ATTRIBUTS});
  parcourir(document.body);
})();
</script>
"""

# The script's element takes no room on the page.
STYLE = """
<style>
[data-testid="stElementContainer"]:has(.flux-francais) { display: none; }
</style>
"""


def script() -> str:
    """The HTML (a hidden marker and the script) that ``installer`` sends."""
    return _SCRIPT % {
        "traductions": json.dumps(TRADUCTIONS, ensure_ascii=False),
        "unites": _UNITES,
        "motifs": json.dumps(MOTIFS),
    }


def installer() -> None:
    """Translate Streamlit's own words on this page (once per browser tab; the script keeps
    watching what Streamlit draws next, on every page)."""
    st.html(STYLE)
    st.html(script(), unsafe_allow_javascript=True)
