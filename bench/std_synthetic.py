"""Generated master-like rows for the throughput test: realistic repetition, no real people."""

from __future__ import annotations

import random

import pyarrow as pa


def _words(text: str) -> list[str]:
    return text.split()


_GIVEN = _words(
    """
JOSE MARIA JUAN LUIS CARLOS ANA JESUS FRANCISCO GUADALUPE ROSA MIGUEL PEDRO ELENA
WILLIAM BILL ROBERT BOB JAMES JIM MARY PATRICIA JOHN MICHAEL DAVID LINDA JENNIFER PACO
PEPE LUPE CHUY ALEJANDRO SOFIA VALENTINA MATEO SANTIAGO DIEGO CAMILA LUCIA NGUYEN WEI
MIN
"""
)
_SURNAME = _words(
    """
GARCIA RODRIGUEZ MARTINEZ HERNANDEZ LOPEZ GONZALEZ PEREZ SANCHEZ RAMIREZ TORRES FLORES
RIVERA GOMEZ DIAZ REYES CRUZ MORALES ORTIZ GUTIERREZ CHAVEZ SMITH JOHNSON WILLIAMS BROWN
JONES MILLER DAVIS WILSON ANDERSON TAYLOR THOMAS MOORE JACKSON MARTIN LEE NGUYEN
"""
)
_STREET = _words(
    """
MAIN OAK PINE MAPLE CEDAR ELM WASHINGTON LAKE HILL PARK FIRST SECOND THIRD 5TH 12TH
SUNSET LINCOLN JACKSON CHURCH MILL RIVER SPRING RIDGE MEADOW FOREST VALLEY HIGHLAND
JEFFERSON MADISON FRANKLIN CENTER UNION PROSPECT BROADWAY
"""
)
_TYPES = ["St", "Street", "Ave", "Avenue", "Rd", "Dr", "Drive", "Ln", "Ct", "Blvd", "Pl", "Way"]
_UNITS = ["", "", "", "", " Apt 4", " Apt 12B", " #3", " Ste 200", " Unit 7", " Lot 15"]
_CITIES = ["Springfield", "Houston", "San Antonio", "St. Louis", "Los Angeles", "Miami", "Chicago"]
_STATES = ["IL", "TX", "TX", "MO", "CA", "FL", "IL"]


def _streets(rng: random.Random, n: int) -> list[str]:
    out: list[str] = []
    for _ in range(n):
        if rng.random() < 0.03:
            out.append(f"PO Box {rng.randint(1, 9999)}")
        elif rng.random() < 0.03:
            out.append(
                f"URB LAS LOMAS {rng.choice('ABCD')}{rng.randint(1, 40)} CALLE {rng.randint(1, 30)}"
            )
        else:
            pre = rng.choice(["", "", "", "N ", "S ", "E ", "W "])
            out.append(
                f"{rng.randint(1, 9999)} {pre}{rng.choice(_STREET).title()} "
                f"{rng.choice(_TYPES)}{rng.choice(_UNITS)}"
            )
    return out


def master_like(n_rows: int, n_streets: int, seed: int = 7) -> pa.Table:
    """``n_rows`` rows drawn from a few thousand names and ``n_streets`` street strings."""
    rng = random.Random(seed)
    firsts = [g.title() for g in _GIVEN] + [
        f"{a.title()} {b.title()}"
        for a, b in zip(rng.choices(_GIVEN, k=1500), rng.choices(_GIVEN, k=1500), strict=True)
    ]
    lasts = [s.title() for s in _SURNAME] + [
        f"{a.title()}-{b.title()}"
        for a, b in zip(rng.choices(_SURNAME, k=2500), rng.choices(_SURNAME, k=2500), strict=True)
    ]
    streets = _streets(rng, n_streets)
    city_i = [rng.randrange(len(_CITIES)) for _ in range(n_rows)]
    return pa.table(
        {
            "first_name": rng.choices(firsts, k=n_rows),
            "middle_name": rng.choices(["", "A", "B", "Maria", "Lee", ""], k=n_rows),
            "last_name": rng.choices(lasts, k=n_rows),
            "suffix": rng.choices(["", "", "", "", "Jr", "III"], k=n_rows),
            "dob": [
                f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                for _ in range(n_rows)
            ],
            "street": [
                streets[i % n_streets] if i < n_streets else rng.choice(streets)
                for i in range(n_rows)
            ],
            "city": [_CITIES[i] for i in city_i],
            "state": [_STATES[i] for i in city_i],
            "zip": [f"{rng.randint(10000, 99999)}" for _ in range(n_rows)],
        }
    )
