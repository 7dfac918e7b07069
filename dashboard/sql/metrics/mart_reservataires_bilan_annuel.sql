-- requires: int_mad_bilan_annuel, stg_conventions
-- Mart: the réservataires owed a yearly bilan for $annee (DOMAIN §4.8): those holding a
-- convention of $annee or proposed a MAD of $annee (MAD without a réservataire code left out),
-- with the number of each; bailleurs $f_bailleur only (empty list = all).
WITH conventions AS (
    SELECT reservataire_code, count(*) AS nb_conventions
    FROM stg_conventions
    WHERE {{ filtres(bailleur) }}
    GROUP BY reservataire_code
),
mad AS (
    SELECT reservataire_code, count(*) AS proposes
    FROM int_mad_bilan_annuel
    WHERE reservataire_code <> 'NON_RENSEIGNE'
      AND {{ filtres(bailleur) }}
    GROUP BY reservataire_code
)
SELECT
    reservataire_code,
    coalesce(c.nb_conventions, 0) AS nb_conventions,
    coalesce(m.proposes, 0) AS proposes
FROM conventions AS c
FULL OUTER JOIN mad AS m USING (reservataire_code)
ORDER BY reservataire_code
