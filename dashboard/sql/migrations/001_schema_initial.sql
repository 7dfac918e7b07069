-- Version 1: the datasets of DOMAIN §3, the reference territories, the import journal,
-- the quarantine and the archive of replaced rows.
--
-- Live tables hold only the rows currently in force. When an import replaces rows of the same
-- scope, the old rows move to the matching archive_* table (tagged with `remplace_par`), so that
-- `rollback` can bring them back. No PRIMARY KEY / UNIQUE constraint on data tables: uniqueness
-- is enforced by the import validation (and DuckDB's indexes do not mix well with
-- delete-then-insert of the same keys in one transaction).

CREATE SEQUENCE IF NOT EXISTS seq_import_id START 1;

CREATE TABLE journal_imports (
    import_id        INTEGER NOT NULL,
    type_donnees     VARCHAR NOT NULL,   -- conventions, parc, mises_a_disposition, communes, documents_epci
    perimetre        VARCHAR NOT NULL,   -- human-readable scope, e.g. "OLS01 2025 ; OLS02 2025"
    nom_fichier      VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL,
    lignes_lues      INTEGER NOT NULL,
    lignes_importees INTEGER NOT NULL,
    lignes_rejetees  INTEGER NOT NULL,
    statut           VARCHAR NOT NULL,   -- ACTIVE / REPLACED / ROLLED_BACK
    utilisateur      VARCHAR NOT NULL,
    horodatage       TIMESTAMP NOT NULL,
    cle_perimetre    VARCHAR NOT NULL    -- canonical scope key used for idempotence
);

-- Which earlier imports an import replaced (fully or partly): used by rollback.
CREATE TABLE remplacements (
    import_id          INTEGER NOT NULL,
    import_remplace_id INTEGER NOT NULL
);

-- Rows rejected by a partial import, with their reasons: nothing a user sent is dropped.
CREATE TABLE quarantaine (
    import_id INTEGER NOT NULL,
    ligne     INTEGER NOT NULL,   -- line number in the file (header = line 1)
    contenu   VARCHAR NOT NULL,   -- the raw line, fields joined with the file's separator
    motifs    VARCHAR NOT NULL    -- the French reasons, separated by " | "
);

CREATE TABLE communes (
    code_insee  VARCHAR NOT NULL,
    nom         VARCHAR NOT NULL,
    departement VARCHAR NOT NULL,
    epci_siren  VARCHAR,
    population  INTEGER,
    import_id   INTEGER            -- NULL for the reference shipped with the product
);

CREATE TABLE epci (
    epci_siren  VARCHAR NOT NULL,
    nom         VARCHAR NOT NULL,
    nature      VARCHAR,           -- METRO, CU, CA, CC
    departement VARCHAR,           -- département holding most of its population
    import_id   INTEGER
);

CREATE TABLE conventions (
    bailleur_code        VARCHAR NOT NULL,
    bailleur_nom         VARCHAR,
    reservataire_code    VARCHAR NOT NULL,
    reservataire_nom     VARCHAR,
    type_reservataire    VARCHAR NOT NULL,
    departement          VARCHAR NOT NULL,
    perimetre_type       VARCHAR NOT NULL,   -- DEPARTEMENT / EPCI / COMMUNE
    perimetre_code       VARCHAR NOT NULL,   -- département code, EPCI SIREN or commune INSEE code
    annee                INTEGER NOT NULL,
    statut               VARCHAR NOT NULL,   -- SIGNEE / EN_COURS / NON_SIGNEE
    date_signature       DATE,
    motif_non_signature  VARCHAR,
    methode              VARCHAR NOT NULL,   -- ASSIETTE / DROITS_ACQUIS
    taux_flux            DOUBLE,             -- percent 0-100
    droits_annuels       DOUBLE,             -- given by the convention (DROITS_ACQUIS, or estimate)
    mode_gestion         VARCHAR,            -- DIRECTE / DELEGUEE
    import_id            INTEGER NOT NULL
);

CREATE TABLE parc (
    bailleur_code       VARCHAR NOT NULL,
    code_insee          VARCHAR NOT NULL,
    annee               INTEGER NOT NULL,
    parc_total          INTEGER NOT NULL,
    logements_exclus    INTEGER NOT NULL,
    liberations         INTEGER,
    taux_rotation       DOUBLE,              -- percent 0-100, overrides liberations
    mutations_prevues   INTEGER NOT NULL,
    relogements_prevus  INTEGER NOT NULL,
    import_id           INTEGER NOT NULL
);

CREATE TABLE mises_a_disposition (
    bailleur_code            VARCHAR NOT NULL,
    reference                VARCHAR NOT NULL,
    date_mise_a_disposition  DATE NOT NULL,
    code_insee               VARCHAR NOT NULL,
    categorie                VARCHAR NOT NULL,   -- FLUX, NON_RESERVE, MUTATION, RELOGEMENT, PREMIERE_LOCATION, STOCK
    reservataire_code        VARCHAR,
    rpls                     VARCHAR,
    qpv                      BOOLEAN,
    typologie                VARCHAR,            -- T1..T6
    financement              VARCHAR,            -- PLAI, PLUS, PLS, PLI, AUTRE
    annee_construction       INTEGER,
    issue                    VARCHAR NOT NULL,   -- BAIL_SIGNE, REFUS_DEMANDEUR, REFUS_CALEOL, SANS_CANDIDAT, EN_COURS
    date_bail                DATE,
    candidat_bailleur        BOOLEAN,
    public_prioritaire       BOOLEAN,
    import_id                INTEGER NOT NULL
);

CREATE TABLE documents_epci (
    epci_siren    VARCHAR NOT NULL,
    document      VARCHAR NOT NULL,   -- CIL, CIA, PPGDID, COTATION
    statut        VARCHAR NOT NULL,   -- ADOPTE, EN_COURS, NON_ENGAGE
    date_document DATE,
    import_id     INTEGER NOT NULL
);

CREATE TABLE archive_communes AS SELECT *, NULL::INTEGER AS remplace_par FROM communes WITH NO DATA;
CREATE TABLE archive_epci AS SELECT *, NULL::INTEGER AS remplace_par FROM epci WITH NO DATA;
CREATE TABLE archive_conventions AS SELECT *, NULL::INTEGER AS remplace_par FROM conventions WITH NO DATA;
CREATE TABLE archive_parc AS SELECT *, NULL::INTEGER AS remplace_par FROM parc WITH NO DATA;
CREATE TABLE archive_mises_a_disposition AS SELECT *, NULL::INTEGER AS remplace_par FROM mises_a_disposition WITH NO DATA;
CREATE TABLE archive_documents_epci AS SELECT *, NULL::INTEGER AS remplace_par FROM documents_epci WITH NO DATA;
