"""Quarters are calendar quarters; a bilan is "au" the last day of its quarter (DOMAIN §4.3)."""

from datetime import date

import pytest

from dashboard.calendrier import debut_trimestre, fin_trimestre


@pytest.mark.parametrize("trimestre, debut, fin", [
    (1, date(2024, 1, 1), date(2024, 3, 31)),
    (2, date(2024, 4, 1), date(2024, 6, 30)),
    (3, date(2024, 7, 1), date(2024, 9, 30)),
    (4, date(2024, 10, 1), date(2024, 12, 31)),
])
def test_bornes_des_trimestres(trimestre, debut, fin):
    assert debut_trimestre(2024, trimestre) == debut
    assert fin_trimestre(2024, trimestre) == fin


def test_trimestre_invalide():
    with pytest.raises(KeyError):
        fin_trimestre(2025, 5)
