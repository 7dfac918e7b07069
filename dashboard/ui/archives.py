"""The zip of every réservataire's yearly bilan (page « Bilans annuels réservataires »), made on
demand with its progress shown: « Bilan 12 sur 40 : Préfet des Bouches-du-Rhône (ETAT-13) ».

Writing forty workbooks takes a few seconds: a download button whose file is made when clicked
would leave the person without a sign for that long. Here a first button makes the archive,
with a progress bar and a line per bilan; the archive is then kept for the session (for this
year, bailleur and data version) and offered by a download button.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from dashboard.exports import bilan_annuel as export_annuel
from dashboard.formatting import accord
from dashboard.ui import etat
from dashboard.ui.connexion import connexion
from dashboard.ui.donnees import version
from dashboard.ui.texte import texte_brut


def texte_avancement(k: int, n: int, nom: str, code: str) -> str:
    """« Bilan 12 sur 40 : Préfet des Bouches-du-Rhône (ETAT-13) »."""
    return f"Bilan {k} sur {n} : {texte_brut(nom)} ({texte_brut(code)})"


def archive_des_bilans(annee: int, bailleur: str | None, noms: Mapping[str, str],
                       nom_fichier: str) -> None:
    """« Préparer les N bilans (.zip) », then « Tous les réservataires (N, .zip) » to download
    what was made. ``noms``: the réservataires' names by code (all of them, in the archive)."""
    n = len(noms)
    signature = (annee, bailleur, version())
    pret = st.session_state.get(etat.ANNUEL_ARCHIVE)
    if pret is None or pret[0] != signature:
        emplacement = st.empty()     # the button gives way to the progress, then the download
        if not emplacement.button(f"Préparer les {accord(n, 'bilan')} (.zip)",
                                  key=etat.ANNUEL_ARCHIVE_BOUTON, icon=":material/folder_zip:",
                                  width="stretch"):
            return
        emplacement.empty()
        barre = st.progress(0.0, text="Lecture des chiffres de l'année…")

        def avancer(k: int, total: int, code: str) -> None:
            barre.progress((k - 1) / total, text=texte_avancement(k, total, noms.get(code, code),
                                                                   code))

        contenu, _ = export_annuel.archive(connexion(), annee, bailleur, progression=avancer)
        barre.progress(1.0, text=f"{accord(n, 'bilan prêt', 'bilans prêts')} dans l'archive.")
        pret = (signature, contenu)
        st.session_state[etat.ANNUEL_ARCHIVE] = pret
    st.download_button(f"Tous les réservataires ({n}, .zip)", pret[1], file_name=nom_fichier,
                       mime="application/zip", key="annuel_archive_telecharger",
                       icon=":material/download:", on_click="ignore", width="stretch")
