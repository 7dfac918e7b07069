"""Writing imports (data_loaders/ingest.py): strict atomic rejection, partial import and
quarantine, idempotent re-import, replacement of a scope, rollback, DGCL communes.

Import ids are those of a fresh store (the sequence starts at 1; rejected files take none).
Contents are compared with `instantane` (every table, every row), not with counts.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from conftest import (
    COLONNES,
    MAD_COLONNES,
    Fichiers,
    convention,
    document,
    erreurs,
    importer,
    instantane,
    mad,
    nouvelle_base,
    parc,
    tableau,
    texte_csv,
)

import data_loaders.historique as historique
import data_loaders.ingest as ingest
from data_loaders import AnnulationImpossible, annuler, journal, quarantaine


def _imp(base, fichiers, kind, *rangees, nom=None, **kw):
    return importer(base, kind, fichiers.csv(tableau(COLONNES[kind], *rangees), nom=nom), **kw)


def _statuts(con) -> list[tuple]:
    return con.execute("SELECT import_id, statut FROM journal_imports ORDER BY 1").fetchall()


def _mad_vivantes(con) -> list[tuple]:
    return con.execute("SELECT bailleur_code, reference, date_mise_a_disposition, code_insee, "
                       "categorie, import_id FROM mises_a_disposition ORDER BY ALL").fetchall()


def _sans(etat: dict, *tables) -> dict:
    return {t: v for t, v in etat.items() if t not in tables}


# The two versions of OLS1 × 2025 used by the replacement tests.
VERSION_A = [mad(reference="R1"),
             mad(reference="R2", date_mise_a_disposition="16/03/2025", code_insee="04070",
                 categorie="Mutation", reservataire_code="")]
VERSION_B = [mad(reference="R1", code_insee="06088", reservataire_code="ETAT-06",
                 issue="Bail signé", date_bail="01/04/2025"),
             mad(reference="R3", date_mise_a_disposition="20/03/2025", qpv="oui")]

# Rows of VERSION_A as stored (all 15 columns + import_id 1).
# Live rows: the columns of the schema, then reservataire_valeur (the value as written, added
# by migration 003 after import_id).
LIGNES_A = [
    ("OLS1", "R1", date(2025, 3, 15), "13055", "FLUX", "ETAT-13", None, None, None, None, None,
     "EN_COURS", None, None, None, 1, "ETAT-13"),
    ("OLS1", "R2", date(2025, 3, 16), "04070", "MUTATION", None, None, None, None, None, None,
     "EN_COURS", None, None, None, 1, None),
]


# ================================================================ a populated store to protect

@pytest.fixture(scope="module")
def modele_peuple(tmp_path_factory, modele_base) -> Path:
    """Every table holds something: live rows of each dataset, a replaced import (archive,
    remplacements), a quarantine line. Built once, copied for each test."""
    dossier = tmp_path_factory.mktemp("peuplee")
    fichiers = Fichiers(dossier)
    chemin = dossier / "peuplee.duckdb"
    base = nouvelle_base(chemin, modele_base)
    assert _imp(base, fichiers, "mises_a_disposition", *VERSION_A).import_id == 1
    assert _imp(base, fichiers, "mises_a_disposition", *VERSION_B).import_id == 2
    r = _imp(base, fichiers, "mises_a_disposition",
             mad(bailleur_code="OLS2", reference="X1", date_mise_a_disposition="10/02/2024"),
             mad(bailleur_code="OLS2", reference="X2", code_insee="99999"), partiel=True)
    assert (r.import_id, r.lignes_rejetees) == (3, 1)
    assert _imp(base, fichiers, "conventions", convention()).import_id == 4
    assert _imp(base, fichiers, "parc", parc()).import_id == 5
    assert _imp(base, fichiers, "documents_epci", document()).import_id == 6
    etat = instantane(base)
    for table in ("mises_a_disposition", "conventions", "parc", "documents_epci", "communes",
                  "epci", "journal_imports", "quarantaine", "remplacements",
                  "archive_mises_a_disposition"):
        assert etat[table], f"{table} devrait être rempli"
    base.close()
    return chemin


@pytest.fixture
def base_peuplee(tmp_path, modele_peuple):
    con = nouvelle_base(tmp_path / "peuplee.duckdb", modele_peuple)
    yield con
    con.close()


# ============================================================================ strict atomicity

FICHIERS_INVALIDES = {
    # Same scopes as the live rows: a valid file would replace them.
    "mises_a_disposition": [mad(reference="R1"), mad(reference="R9", code_insee="13999")],
    "conventions": [convention(), convention(reservataire_code="CD-13", type_reservataire="DEPARTEMENT",
                                             taux_flux="150")],
    "parc": [parc(), parc(code_insee="04070", logements_exclus="500")],
    "documents_epci": [document(), document(document="CIA", statut="Bof")],
}


@pytest.mark.parametrize("kind", list(FICHIERS_INVALIDES))
def test_fichier_rejete_laisse_toutes_les_tables_identiques(base_peuplee, fichiers, kind):
    avant = instantane(base_peuplee)
    rapport = _imp(base_peuplee, fichiers, kind, *FICHIERS_INVALIDES[kind])
    assert rapport.statut == "rejete"
    assert rapport.import_id is None
    assert rapport.lignes_importees == 0
    assert [e.ligne for e in rapport.erreurs] == [3]
    assert "Rien n'a été importé" in rapport.message
    assert instantane(base_peuplee) == avant


def test_fichier_illisible_ou_colonnes_manquantes_ne_touche_a_rien(base_peuplee, fichiers):
    avant = instantane(base_peuplee)
    for chemin in (fichiers.texte("bailleur;ref\nOLS1;R1\n"),
                   fichiers.texte(";".join(MAD_COLONNES[:6]) + "\nOLS1;R1;15/03/2025\n"),
                   fichiers.octets(b"")):
        rapport = importer(base_peuplee, "mises_a_disposition", chemin)
        assert rapport.statut == "rejete"
        assert instantane(base_peuplee) == avant


def test_echec_pendant_l_ecriture_tout_est_annule(base_peuplee, fichiers, monkeypatch):
    # A failure inside the write transaction (after the replacement and the inserts) must
    # leave every table as it was.
    def panne(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(ingest, "_quarantaine", panne)
    avant = instantane(base_peuplee)
    with pytest.raises(RuntimeError, match="panne simulée"):
        _imp(base_peuplee, fichiers, "mises_a_disposition", mad(reference="R7"),
             mad(reference="R8", code_insee="13999"), partiel=True)
    assert instantane(base_peuplee) == avant
    monkeypatch.undo()
    # The store is still usable.
    rapport = _imp(base_peuplee, fichiers, "mises_a_disposition", mad(reference="R7"))
    assert rapport.statut == "importe"


def test_echec_pendant_un_remplacement_tout_est_annule(base_peuplee, fichiers, monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(ingest, "mettre_a_jour_statuts", panne)
    avant = instantane(base_peuplee)
    with pytest.raises(RuntimeError):
        _imp(base_peuplee, fichiers, "mises_a_disposition", mad(reference="R5"))
    assert instantane(base_peuplee) == avant


def test_echec_pendant_une_annulation_tout_est_annule(base_peuplee, monkeypatch):
    def panne(*args, **kwargs):
        raise RuntimeError("panne simulée")

    monkeypatch.setattr(historique, "mettre_a_jour_statuts", panne)
    avant = instantane(base_peuplee)
    with pytest.raises(RuntimeError):
        annuler(base_peuplee, 2)
    assert instantane(base_peuplee) == avant


# ============================================================================ partial import

def test_import_partiel_quarantaine_avec_contenu_brut_et_motifs(base, fichiers):
    entete = ";".join(MAD_COLONNES[:7])
    texte = (entete + "\n"
             "OLS1;R1;15/03/2025;13055;FLUX;ETAT-13;\n"              # 2 valid
             "OLS1;R2;15/03/2025;99999;FLUX;;\n"                     # 3 two errors
             "OLS1;R3;15/03/2025\n"                                  # 4 field count
             "\n"                                                    # 5 blank
             "OLS1;R4;16/03/2025;04070;Mutation interne;;\n"         # 6 valid
             "OLS1;R5;17/03/2025;06088;FLUX;ETAT-06;123\n")          # 7 bad RPLS
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte, nom="partiel.csv"),
                       partiel=True)
    assert rapport.statut == "importe"
    assert rapport.import_id == 1
    assert (rapport.lignes_lues, rapport.lignes_importees, rapport.lignes_rejetees) == (5, 2, 3)
    assert erreurs(rapport) == [(3, "code_insee", "99999"), (3, "reservataire_code", None),
                                (4, None, "OLS1;R3;15/03/2025"), (7, "rpls", "123")]
    assert "2 ligne(s) importée(s), 3 ligne(s) mise(s) en quarantaine" in rapport.message
    assert base.execute("SELECT reference, code_insee, categorie FROM mises_a_disposition "
                        "ORDER BY 1").fetchall() == [("R1", "13055", "FLUX"),
                                                     ("R4", "04070", "MUTATION")]
    q = quarantaine(base, 1)
    assert list(q.columns) == ["import_id", "ligne", "contenu", "motifs"]
    lignes = [tuple(r) for r in q.itertuples(index=False)]
    assert [(i, l, c) for i, l, c, _ in lignes] == [
        (1, 3, "OLS1;R2;15/03/2025;99999;FLUX;;"),
        (1, 4, "OLS1;R3;15/03/2025"),
        (1, 7, "OLS1;R5;17/03/2025;06088;FLUX;ETAT-06;123"),
    ]
    motifs = {l: m for _, l, _, m in lignes}
    assert motifs[3].startswith("code_insee « 99999 » : commune inconnue du référentiel")
    assert " | reservataire_code «  » : réservataire obligatoire" in motifs[3]
    assert motifs[4].startswith("La ligne compte 3 champs au lieu de 7")
    assert motifs[7] == ("rpls « 123 » : numéro RPLS attendu : 10 caractères (chiffres ou "
                         "lettres)")
    assert base.execute("SELECT import_id, type_donnees, perimetre, nom_fichier, lignes_lues, "
                        "lignes_importees, lignes_rejetees, statut FROM journal_imports"
                        ).fetchall() == [(1, "mises_a_disposition", "OLS1 (2025)", "partiel.csv",
                                          5, 2, 3, "ACTIVE")]


def test_quarantaine_contenu_relisible_quand_un_champ_contient_le_separateur(base, fichiers):
    # The quarantined line must give back the fields the user sent: a quoted field holding
    # the separator may not turn into two fields.
    texte = (";".join(MAD_COLONNES[:6]) + "\n"
             'OLS1;"R;1";15/03/2025;13999;FLUX;ETAT-13\n'
             "OLS1;R2;15/03/2025;13055;FLUX;ETAT-13\n")
    rapport = importer(base, "mises_a_disposition", fichiers.texte(texte), partiel=True)
    assert rapport.statut == "importe"
    (ligne, contenu), = base.execute("SELECT ligne, contenu FROM quarantaine").fetchall()
    assert ligne == 2
    assert next(csv.reader([contenu], delimiter=";")) == [
        "OLS1", "R;1", "15/03/2025", "13999", "FLUX", "ETAT-13"]


def test_import_partiel_reference_unique_meme_si_une_ligne_d_une_autre_annee_est_rejetee(
        base, fichiers):
    # R1 is live for OLS1 × 2024. A partial file brings R1 dated 2025 (line 2) and an invalid
    # 2024 line (line 3). Only 2025 is replaced (the 2024 line is quarantined), so R1/2024
    # stays live: line 2 must be refused as a duplicate of the database — a reference is
    # unique per bailleur.
    _imp(base, fichiers, "mises_a_disposition",
         mad(reference="R1", date_mise_a_disposition="15/03/2024"))
    rapport = _imp(base, fichiers, "mises_a_disposition",
                   mad(reference="R1", date_mise_a_disposition="15/03/2025"),
                   mad(reference="R9", date_mise_a_disposition="15/03/2024", code_insee="13999"),
                   partiel=True)
    vivantes = [(b, ref) for b, ref, *_ in _mad_vivantes(base)]
    assert len(vivantes) == len(set(vivantes)), f"référence en double pour un bailleur : {vivantes}"
    assert (2, "reference", "R1") in erreurs(rapport)


def test_import_partiel_toutes_lignes_invalides_rien_n_est_ecrit(base_peuplee, fichiers):
    avant = instantane(base_peuplee)
    rapport = _imp(base_peuplee, fichiers, "mises_a_disposition",
                   mad(reference="Z1", code_insee="13999"), mad(reference="Z2", categorie="?"),
                   partiel=True)
    assert rapport.statut == "rejete"
    assert [e.ligne for e in rapport.erreurs] == [2, 3]
    assert "aucune ligne valide" in rapport.message
    assert instantane(base_peuplee) == avant


def test_import_partiel_d_un_fichier_valide_comme_un_import_strict(base, fichiers):
    rapport = _imp(base, fichiers, "mises_a_disposition", *VERSION_A, partiel=True)
    assert (rapport.statut, rapport.lignes_importees, rapport.lignes_rejetees) == ("importe", 2, 0)
    assert base.execute("SELECT count(*) FROM quarantaine").fetchone() == (0,)
    assert base.execute("SELECT * FROM mises_a_disposition ORDER BY ALL").fetchall() == LIGNES_A


def test_quarantaine_filtre_par_import(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition", mad(reference="A"),
         mad(reference="B", code_insee="13999"), partiel=True)
    _imp(base, fichiers, "parc", parc(), parc(code_insee="04070", liberations="", taux_rotation=""),
         partiel=True)
    assert [tuple(r) for r in quarantaine(base)[["import_id", "ligne"]].itertuples(index=False)
            ] == [(1, 3), (2, 3)]
    assert quarantaine(base, 2)["contenu"].tolist() == ["OLS1;04070;2025;100;;;;;"]


# ========================================================================= idempotent re-import

def test_reimport_du_meme_fichier_ne_change_rien(base, fichiers):
    lignes = tableau(MAD_COLONNES, *VERSION_A)
    r1 = importer(base, "mises_a_disposition", fichiers.csv(lignes, nom="mad.csv"))
    assert (r1.statut, r1.import_id) == ("importe", 1)
    avant = instantane(base)
    # Same bytes, another name: still the same file.
    for nom in ("mad.csv", "copie de mad.csv"):
        r = importer(base, "mises_a_disposition", fichiers.csv(lignes, nom=nom))
        assert r.statut == "inchange"
        assert r.import_id == 1
        assert r.lignes_importees == 0
        assert r.message == ("Ce fichier a déjà été importé (import n° 1) pour le même "
                             "périmètre : rien n'a changé.")
        assert instantane(base) == avant


def test_reimport_partiel_ne_duplique_pas_la_quarantaine(base, fichiers):
    lignes = tableau(MAD_COLONNES, mad(reference="A"), mad(reference="B", code_insee="13999"))
    r1 = importer(base, "mises_a_disposition", fichiers.csv(lignes), partiel=True)
    assert r1.statut == "importe"
    avant = instantane(base)
    r2 = importer(base, "mises_a_disposition", fichiers.csv(lignes), partiel=True)
    assert (r2.statut, r2.import_id) == ("inchange", 1)
    assert instantane(base) == avant


def test_meme_contenu_apres_annulation_est_reimporte(base, fichiers):
    lignes = tableau(MAD_COLONNES, *VERSION_A)
    importer(base, "mises_a_disposition", fichiers.csv(lignes))
    annuler(base, 1)
    r = importer(base, "mises_a_disposition", fichiers.csv(lignes))
    assert (r.statut, r.import_id) == ("importe", 2)
    assert _statuts(base) == [(1, "ROLLED_BACK"), (2, "ACTIVE")]


def test_reimport_d_un_fichier_en_partie_remplace_retablit_son_contenu(base, fichiers):
    # A covers OLS1 × 2024 and 2025; B replaces OLS1 × 2025 only, so A stays ACTIVE (its 2024
    # row is live). Importing A again must leave the store holding A's rows: answering
    # "inchange" while B's 2025 rows are live would not apply the file the user sent.
    lignes_a = tableau(MAD_COLONNES, mad(reference="A1", date_mise_a_disposition="15/03/2024"),
                       mad(reference="A2", date_mise_a_disposition="15/03/2025"))
    importer(base, "mises_a_disposition", fichiers.csv(lignes_a))
    _imp(base, fichiers, "mises_a_disposition", mad(reference="B2"))
    assert _statuts(base) == [(1, "ACTIVE"), (2, "ACTIVE")]
    r = importer(base, "mises_a_disposition", fichiers.csv(lignes_a))
    assert [ref for _, ref, *_ in _mad_vivantes(base)] == ["A1", "A2"]
    assert r.statut == "importe"


# ============================================================================ replacement

def test_nouvelle_version_du_perimetre_remplace_et_archive(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition", *VERSION_A)
    rapport = _imp(base, fichiers, "mises_a_disposition", *VERSION_B)
    assert (rapport.statut, rapport.import_id, rapport.remplaces) == ("importe", 2, [1])
    assert rapport.message == ("Import n° 2 : 2 ligne(s) importée(s) ; remplace l'import n° 1 "
                               "pour le même périmètre.")
    assert _statuts(base) == [(1, "REPLACED"), (2, "ACTIVE")]
    assert base.execute("SELECT * FROM mises_a_disposition ORDER BY ALL").fetchall() == [
        ("OLS1", "R1", date(2025, 3, 15), "06088", "FLUX", "ETAT-06", None, None, None, None,
         None, "BAIL_SIGNE", date(2025, 4, 1), None, None, 2, "ETAT-06"),
        ("OLS1", "R3", date(2025, 3, 20), "13055", "FLUX", "ETAT-13", None, True, None, None,
         None, "EN_COURS", None, None, None, 2, "ETAT-13"),
    ]
    # Archive rows: the live columns up to import_id, remplace_par, then reservataire_valeur.
    assert base.execute("SELECT * FROM archive_mises_a_disposition ORDER BY ALL").fetchall() == [
        ligne[:-1] + (2, ligne[-1]) for ligne in LIGNES_A]
    assert base.execute("SELECT * FROM remplacements").fetchall() == [(2, 1)]


def test_annulation_restaure_exactement_les_lignes_precedentes(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition", *VERSION_A)
    apres_a = instantane(base)
    _imp(base, fichiers, "mises_a_disposition", *VERSION_B)
    message = annuler(base, 2)
    assert message == "Import n° 2 annulé. Import(s) n° 1 de nouveau en vigueur."
    apres = instantane(base)
    assert apres["mises_a_disposition"] == LIGNES_A
    assert apres["archive_mises_a_disposition"] == []
    assert _sans(apres, "journal_imports", "journal_annulations", "remplacements") == _sans(
        apres_a, "journal_imports", "journal_annulations", "remplacements")
    assert _statuts(base) == [(1, "ACTIVE"), (2, "ROLLED_BACK")]
    assert [r[0] for r in apres["journal_annulations"]] == [2]
    # Import 1's journal line is otherwise untouched.
    assert apres["journal_imports"][0] == apres_a["journal_imports"][0]


def test_le_journal_dit_qui_a_annule_et_quand(base, fichiers):
    _imp(base, fichiers, "parc", parc(), nom="parc_v1.csv", utilisateur="bailleur")
    _imp(base, fichiers, "parc", parc(parc_total="120"), nom="parc_v2.csv")
    avant = datetime.now()
    annuler(base, 2, utilisateur="admin@dreal.example")
    j = journal(base).set_index("import_id")
    assert j.loc[2, "statut"] == "ROLLED_BACK" and j.loc[2, "annule_par"] == "admin@dreal.example"
    assert avant <= j.loc[2, "annule_le"].to_pydatetime() <= datetime.now()
    # The import brought back in force was not rolled back: nothing against it.
    assert j.loc[1, "statut"] == "ACTIVE" and pd.isna(j.loc[1, "annule_par"])
    assert j.loc[1, "utilisateur"] == "bailleur"


def test_annulation_d_un_premier_import_vide_le_perimetre(base, fichiers):
    _imp(base, fichiers, "parc", parc())
    avant = instantane(base)
    assert annuler(base, 1) == "Import n° 1 annulé."
    apres = instantane(base)
    assert apres["parc"] == []
    assert _sans(apres, "journal_imports", "journal_annulations", "parc") == _sans(
        avant, "journal_imports", "journal_annulations", "parc")
    assert _statuts(base) == [(1, "ROLLED_BACK")]
    assert [r[0] for r in apres["journal_annulations"]] == [1]


def test_chaine_de_remplacements_annulee_pas_a_pas(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition", *VERSION_A)
    etat_a = instantane(base)["mises_a_disposition"]
    _imp(base, fichiers, "mises_a_disposition", *VERSION_B)
    etat_b = instantane(base)["mises_a_disposition"]
    _imp(base, fichiers, "mises_a_disposition", mad(reference="R9"))
    assert _statuts(base) == [(1, "REPLACED"), (2, "REPLACED"), (3, "ACTIVE")]
    with pytest.raises(AnnulationImpossible):
        annuler(base, 2)
    annuler(base, 3)
    assert _statuts(base) == [(1, "REPLACED"), (2, "ACTIVE"), (3, "ROLLED_BACK")]
    assert instantane(base)["mises_a_disposition"] == etat_b
    annuler(base, 2)
    assert _statuts(base) == [(1, "ACTIVE"), (2, "ROLLED_BACK"), (3, "ROLLED_BACK")]
    assert instantane(base)["mises_a_disposition"] == etat_a == LIGNES_A
    assert instantane(base)["archive_mises_a_disposition"] == []


# ================================================================== rollback refused

def test_annulation_refusee_import_remplace(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition", *VERSION_A)
    _imp(base, fichiers, "mises_a_disposition", *VERSION_B)
    avant = instantane(base)
    with pytest.raises(AnnulationImpossible) as exc:
        annuler(base, 1)
    assert str(exc.value) == ("L'import n° 1 n'est pas en vigueur (statut : REPLACED) : seul un "
                              "import en vigueur peut être annulé.")
    assert instantane(base) == avant


def test_annulation_refusee_import_inexistant_ou_deja_annule(base, fichiers):
    _imp(base, fichiers, "parc", parc())
    annuler(base, 1)
    avant = instantane(base)
    with pytest.raises(AnnulationImpossible) as exc:
        annuler(base, 999)
    assert str(exc.value) == "Aucun import n° 999 dans le journal."
    with pytest.raises(AnnulationImpossible) as exc:
        annuler(base, 1)
    assert "n'est pas en vigueur (statut : ROLLED_BACK)" in str(exc.value)
    assert instantane(base) == avant


def test_annulation_refusee_import_en_partie_remplace(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition",
         mad(reference="A1", date_mise_a_disposition="15/03/2024"),
         mad(reference="A2", date_mise_a_disposition="15/03/2025"))
    _imp(base, fichiers, "mises_a_disposition", mad(reference="B2"))
    avant = instantane(base)
    with pytest.raises(AnnulationImpossible) as exc:
        annuler(base, 1)
    assert str(exc.value) == ("Une partie de l'import n° 1 a été remplacée par l'import n° 2 : "
                              "annulez d'abord l'import n° 2.")
    assert instantane(base) == avant
    # Once 2 is rolled back, 1 is whole again and can be rolled back.
    annuler(base, 2)
    assert [r[1] for r in _mad_vivantes(base)] == ["A1", "A2"]
    annuler(base, 1)
    assert _mad_vivantes(base) == []


# ============================================================================ scopes

def test_perimetre_mad_bailleur_annee(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition",
         mad(reference="A1", date_mise_a_disposition="15/03/2024"),
         mad(reference="A2", date_mise_a_disposition="20/12/2024"))                  # 1: OLS1 2024
    _imp(base, fichiers, "mises_a_disposition", mad(reference="B1"))                 # 2: OLS1 2025
    _imp(base, fichiers, "mises_a_disposition", mad(bailleur_code="OLS2", reference="C1"))
    avant_2024 = [r for r in _mad_vivantes(base) if r[2].year == 2024 or r[0] == "OLS2"]
    # A new version of OLS1 × 2025 replaces import 2 only.
    rapport = _imp(base, fichiers, "mises_a_disposition", mad(reference="D1"),
                   mad(reference="D2", date_mise_a_disposition="02/01/2025"))
    assert rapport.remplaces == [2]
    assert _statuts(base) == [(1, "ACTIVE"), (2, "REPLACED"), (3, "ACTIVE"), (4, "ACTIVE")]
    assert _mad_vivantes(base) == sorted(avant_2024 + [
        ("OLS1", "D1", date(2025, 3, 15), "13055", "FLUX", 4),
        ("OLS1", "D2", date(2025, 1, 2), "13055", "FLUX", 4)])
    assert avant_2024 == [
        ("OLS1", "A1", date(2024, 3, 15), "13055", "FLUX", 1),
        ("OLS1", "A2", date(2024, 12, 20), "13055", "FLUX", 1),
        ("OLS2", "C1", date(2025, 3, 15), "13055", "FLUX", 3)]
    assert base.execute("SELECT perimetre FROM journal_imports WHERE import_id = 1"
                        ).fetchone() == ("OLS1 (2024)",)


def test_perimetre_mad_plusieurs_annees_remplace_chacune(base, fichiers):
    _imp(base, fichiers, "mises_a_disposition",
         mad(reference="A1", date_mise_a_disposition="15/03/2024"))                  # 1
    _imp(base, fichiers, "mises_a_disposition", mad(reference="B1"))                 # 2
    rapport = _imp(base, fichiers, "mises_a_disposition",
                   mad(reference="C1", date_mise_a_disposition="01/06/2024"),
                   mad(reference="C2", date_mise_a_disposition="01/06/2025"))
    assert rapport.remplaces == [1, 2]
    assert _statuts(base) == [(1, "REPLACED"), (2, "REPLACED"), (3, "ACTIVE")]
    assert [r[1] for r in _mad_vivantes(base)] == ["C1", "C2"]
    assert base.execute("SELECT perimetre FROM journal_imports WHERE import_id = 3"
                        ).fetchone() == ("OLS1 (2024, 2025)",)


def test_perimetre_conventions_bailleurs_annee(base, fichiers):
    _imp(base, fichiers, "conventions",
         convention(bailleur_code="OLS1"), convention(bailleur_code="OLS2"),
         convention(bailleur_code="OLS1", annee="2024", date_signature="10/01/2024"))    # 1
    rapport = _imp(base, fichiers, "conventions",
                   convention(bailleur_code="OLS1", reservataire_code="AL-13",
                              type_reservataire="Action Logement", taux_flux="20"))      # 2
    assert rapport.remplaces == [1]
    assert _statuts(base) == [(1, "ACTIVE"), (2, "ACTIVE")]     # OLS2 2025, OLS1 2024 live
    assert base.execute("SELECT bailleur_code, reservataire_code, annee, import_id FROM "
                        "conventions ORDER BY ALL").fetchall() == [
        # An Action Logement convention is Action Logement Services, whatever its code says.
        ("OLS1", "ALS", 2025, 2), ("OLS1", "ETAT-13", 2024, 1), ("OLS2", "ETAT-13", 2025, 1)]
    assert base.execute("SELECT bailleur_code, annee, remplace_par FROM archive_conventions"
                        ).fetchall() == [("OLS1", 2025, 2)]
    with pytest.raises(AnnulationImpossible):
        annuler(base, 1)
    annuler(base, 2)
    assert base.execute("SELECT bailleur_code, reservataire_code, annee, import_id FROM "
                        "conventions ORDER BY ALL").fetchall() == [
        ("OLS1", "ETAT-13", 2024, 1), ("OLS1", "ETAT-13", 2025, 1), ("OLS2", "ETAT-13", 2025, 1)]


def test_perimetre_parc_bailleur_annee(base, fichiers):
    _imp(base, fichiers, "parc", parc(annee="2024"), parc(code_insee="04070", annee="2024"))  # 1
    _imp(base, fichiers, "parc", parc(annee="2025"))                                        # 2
    rapport = _imp(base, fichiers, "parc", parc(annee="2025", parc_total="150"))            # 3
    assert rapport.remplaces == [2]
    assert base.execute("SELECT code_insee, annee, parc_total, import_id FROM parc "
                        "ORDER BY ALL").fetchall() == [
        ("04070", 2024, 100, 1), ("13055", 2024, 100, 1), ("13055", 2025, 150, 3)]
    assert _statuts(base) == [(1, "ACTIVE"), (2, "REPLACED"), (3, "ACTIVE")]


def test_perimetre_documents_epci(base, fichiers):
    _imp(base, fichiers, "documents_epci", document(), document(epci_siren="200030195"))  # 1
    rapport = _imp(base, fichiers, "documents_epci",
                   document(document="CIA", statut="En cours", date_document=""))       # 2
    assert rapport.remplaces == [1]
    assert base.execute("SELECT epci_siren, document, import_id FROM documents_epci "
                        "ORDER BY ALL").fetchall() == [("200030195", "CIL", 1),
                                                       ("200054807", "CIA", 2)]


# ===================================================================== DGCL communes file

DGCL_ENTETES = ["dept", "siren", "raison_sociale", "nature_juridique", "mode_financ",
                "nb_membres", "total_pop_tot", "total_pop_mun", "dep_com", "insee",
                "siren_membre", "nom_membre", "ptot_2025", "pmun_2025"]


def test_fichier_dgcl_etend_le_referentiel_et_s_annule(base, fichiers):
    reference = instantane(base)
    texte = texte_csv([
        DGCL_ENTETES,
        ["69", "200046977", "Métropole de Lyon", "METRO", "FPU", "59", "1", "1", "69", "69123",
         "216901231", "Lyon", "520000", "515000"],
        ["69", "200046977", "Métropole de Lyon", "METRO", "FPU", "59", "1", "1", "69", "69266",
         "216902668", "Villeurbanne", "150000", "149000"]])
    rapport = importer(base, "communes", fichiers.texte(texte, nom="epcicom2026.csv"))
    assert (rapport.statut, rapport.import_id) == ("importe", 1)
    assert base.execute("SELECT count(*) FROM communes").fetchone() == (948,)
    assert base.execute("SELECT * FROM communes WHERE code_insee LIKE '69%' ORDER BY 1"
                        ).fetchall() == [("69123", "Lyon", "69", "200046977", 515000, 1),
                                         ("69266", "Villeurbanne", "69", "200046977", 149000, 1)]
    assert base.execute("SELECT * FROM epci WHERE epci_siren = '200046977'").fetchall() == [
        ("200046977", "Métropole de Lyon", "METRO", "69", 1)]
    assert base.execute("SELECT perimetre FROM journal_imports").fetchall() == [
        ("2 communes, 1 EPCI",)]
    # A MAD in Lyon is now accepted.
    assert _imp(base, fichiers, "mises_a_disposition",
                mad(code_insee="69123", reservataire_code="ETAT-69")).statut == "importe"
    annuler(base, 1)
    apres = instantane(base)
    assert apres["communes"] == reference["communes"]
    assert apres["epci"] == reference["epci"]
    assert apres["archive_communes"] == apres["archive_epci"] == []


def test_fichier_dgcl_remplace_une_commune_du_referentiel_puis_annulation(base, fichiers):
    reference = instantane(base)
    texte = texte_csv([
        DGCL_ENTETES,
        ["13", "200054807", "Métropole d'Aix-Marseille-Provence", "METRO", "FPU", "92", "1", "1",
         "13", "13055", "211300553", "Marseille", "877215", "873076"]])
    rapport = importer(base, "communes", fichiers.texte(texte))
    assert rapport.statut == "importe"
    assert base.execute("SELECT * FROM communes WHERE code_insee = '13055'").fetchall() == [
        ("13055", "Marseille", "13", "200054807", 873076, 1)]
    assert base.execute("SELECT code_insee, population, import_id, remplace_par "
                        "FROM archive_communes").fetchall() == [("13055", 886040, None, 1)]
    assert base.execute("SELECT count(*) FROM communes").fetchone() == (946,)
    annuler(base, 1)
    apres = instantane(base)
    assert apres["communes"] == reference["communes"]
    assert apres["epci"] == reference["epci"]
    assert base.execute("SELECT * FROM communes WHERE code_insee = '13055'").fetchall() == [
        ("13055", "Marseille", "13", "200054807", 886040, None)]


# ============================================================================== journal

def test_journal_du_plus_recent_au_plus_ancien(base, fichiers):
    _imp(base, fichiers, "parc", parc(), nom="parc_v1.csv")
    _imp(base, fichiers, "parc", parc(parc_total="120"), nom="parc_v2.csv")
    _imp(base, fichiers, "documents_epci", document(), nom="docs.csv", utilisateur="dreal")
    j = journal(base)
    assert list(j.columns) == ["import_id", "type_donnees", "perimetre", "nom_fichier", "sha256",
                               "lignes_lues", "lignes_importees", "lignes_rejetees", "statut",
                               "utilisateur", "horodatage", "annule_par", "annule_le"]
    assert [tuple(r) for r in j[["import_id", "type_donnees", "perimetre", "nom_fichier",
                                 "statut"]].itertuples(index=False)] == [
        (3, "documents_epci", "1 EPCI", "docs.csv", "ACTIVE"),
        (2, "parc", "OLS1 (2025)", "parc_v2.csv", "ACTIVE"),
        (1, "parc", "OLS1 (2025)", "parc_v1.csv", "REPLACED")]
    assert j["utilisateur"].iloc[0] == "dreal"
    assert all(len(s) == 64 for s in j["sha256"])
