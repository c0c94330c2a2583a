"""Labelled address cases (Pub 28): each row lists the parts it checks; others are not checked."""

from __future__ import annotations

import pytest

from crossverify.standardize.addresses import parse_address
from crossverify.standardize.places import standardize_city, standardize_state, standardize_zip

# Each row: label, street line, the parts it checks as "key=value|key=value" (empty value = none).
# Keys: h=house_number pre=predir name=street_name t=street_type
# post=postdir ut=unit_type u=unit box=po_box rr=rural_route urb=urbanization line=line_std
_FIELDS = {
    "h": "house_number",
    "pre": "predir",
    "name": "street_name",
    "t": "street_type",
    "pfx": "type_is_prefix",
    "post": "postdir",
    "ut": "unit_type",
    "u": "unit",
    "box": "po_box",
    "rr": "rural_route",
    "urb": "urbanization",
    "line": "line_std",
    "left": "leftover",
}

ADDRESSES = [
    # street types (Appendix C1)
    ("street-spelled", "123 Main Street", "h=123|name=MAIN|t=ST|line=123 MAIN ST"),
    ("st-period", "123 Main St.", "t=ST|line=123 MAIN ST"),
    ("avenue", "9 Oak Avenue", "t=AVE|line=9 OAK AVE"),
    ("av-variant", "9 Oak Av", "t=AVE"),
    ("boulevard", "9 Oak Boulevard", "t=BLVD"),
    ("boul-variant", "9 Oak Boul", "t=BLVD"),
    ("parkway", "9 Oak Parkway", "t=PKWY"),
    ("pky-variant", "9 Oak Pky", "t=PKWY"),
    ("terrace", "9 Oak Terrace", "t=TER"),
    ("circle", "9 Oak Circle", "t=CIR"),
    ("trail", "9 Oak Trail", "t=TRL"),
    ("crossing", "9 Oak Crossing", "t=XING"),
    ("square", "9 Oak Square", "t=SQ"),
    # two type words: only the last is abbreviated (Pub 28 §234.2)
    ("two-types-abbrev", "456 Park Ave Ext", "name=PARK AVENUE|t=EXT"),
    ("two-types-spelled", "1 Lake View Terrace", "name=LAKE VIEW|t=TER"),
    ("trail-road", "12 Army Trail Road", "name=ARMY TRAIL|t=RD"),
    ("type-word-as-name", "123 Court St", "name=COURT|t=ST"),
    # directionals
    ("predir-letter", "123 N Main St", "pre=N|name=MAIN"),
    ("predir-spelled", "123 North Main St", "pre=N|name=MAIN"),
    ("postdir-spelled", "123 Main St Southwest", "post=SW|line=123 MAIN ST SW"),
    ("postdir-dotted", "2000 Pennsylvania Avenue N.W.", "t=AVE|post=NW"),
    ("directional-is-name", "123 North St", "pre=|name=NORTH|t=ST"),
    ("dc-letter-street", "123 E St NW", "pre=|name=E|post=NW"),
    ("dir-then-dir-name", "123 S West St", "pre=S|name=WEST"),
    # ordinals
    ("ordinal-spelled", "1 First Ave", "name=1ST|line=1 1ST AVE"),
    ("ordinal-lower", "1 1st Ave", "name=1ST"),
    ("ordinal-hyphenated", "12 Twenty-First St", "name=21ST"),
    ("ordinal-two-words", "12 twenty first street", "name=21ST"),
    ("ordinal-old-style", "5 W 42d St", "pre=W|name=42ND"),
    ("ordinal-no-house", "5th Ave", "h=|name=5TH|t=AVE"),
    # house numbers
    ("half-house", "123 1/2 Elm St", "h=123 1/2|name=ELM"),
    ("grid-house", "N123W456 Main St", "h=N123W456"),
    ("unit-word-as-name", "123 Lot St", "name=LOT|ut="),
    # units (Appendix C2)
    ("apt", "123 Main St Apt 4", "ut=APT|u=4|line=123 MAIN ST APT 4"),
    ("apartment", "123 Main St Apartment 4B", "ut=APT|u=4B"),
    ("apt-hash", "123 Main St Apt. #4", "ut=APT|u=4"),
    ("apt-glued", "123 Main St Apt4", "ut=APT|u=4|name=MAIN"),
    ("unit-hyphen-dropped", "123 Main St Apt 4-B", "u=4B"),
    ("hash-unit", "123 Main St #4", "ut=|u=4|line=123 MAIN ST # 4"),
    ("hash-space-unit", "123 Main St # 4b", "ut=|u=4B"),
    ("suite", "123 Main St Suite 200", "ut=STE|u=200"),
    ("ste", "123 Main St Ste 200", "ut=STE|u=200"),
    ("unit", "123 Main St Unit 7", "ut=UNIT|u=7"),
    ("building-letter", "123 Main St Bldg C", "ut=BLDG|u=C"),
    ("floor", "123 Main St Fl 3", "ut=FL|u=3"),
    ("ordinal-floor", "123 Main St 2nd Floor", "ut=FL|u=2"),
    ("room", "123 Main St Room 12", "ut=RM|u=12"),
    ("lot", "55 Pine Rd Lot 15", "ut=LOT|u=15"),
    ("space", "55 Pine Rd Space 9", "ut=SPC|u=9"),
    ("trailer", "55 Pine Rd Trailer 3", "ut=TRLR|u=3"),
    ("rear-no-number", "123 Main St Rear", "ut=REAR|u="),
    ("bare-unit", "123 Main St 4B", "ut=|u=4B|left="),
    ("unit-first", "Apt 4 123 Main St", "h=123|ut=APT|u=4"),
    ("two-units-last-wins", "123 Main St Bldg 5 Apt 12", "ut=APT|u=12|left=BLDG 5"),
    # PO boxes
    ("po-box", "PO Box 123", "box=123|h=|line=PO BOX 123"),
    ("po-box-dotted", "P.O. Box 123", "box=123"),
    ("po-box-spaced", "P O Box 123", "box=123"),
    ("post-office-box", "Post Office Box 123", "box=123"),
    ("pob", "POB 123", "box=123"),
    ("pobox-glued", "POBox 123", "box=123"),
    ("box-leading-zero", "Box 0123", "box=123"),
    ("po-box-hash", "PO Box #77", "box=77"),
    ("apartado", "Apartado 55", "box=55"),
    # rural routes and highway contracts
    ("rr", "RR 2 Box 15", "rr=RR 2 BOX 15|line=RR 2 BOX 15"),
    ("rural-route", "Rural Route 2 Box 15", "rr=RR 2 BOX 15"),
    ("rr-no-box", "RR 2", "rr=RR 2"),
    ("hc", "HC 1 Box 5", "rr=HC 1 BOX 5"),
    ("hc-leading-zero", "HC 01 Box 5", "rr=HC 1 BOX 5"),
    ("highway-contract", "Highway Contract 1 Box 5", "rr=HC 1 BOX 5"),
    # Puerto Rico (Appendix I)
    (
        "pr-urb-calle-keeps-calle",
        "URB LAS LOMAS A17 CALLE 1",
        "urb=URB LAS LOMAS|h=A17|t=CALLE|pfx=True|name=1|line=A17 CALLE 1",
    ),
    ("pr-urb-after", "A17 Calle 1 Urb. Las Lomas", "urb=URB LAS LOMAS|h=A17|t=CALLE"),
    (
        "pr-house-after-street",
        "Urbanización Las Lomas, Calle 1 A17",
        "urb=URB LAS LOMAS|h=A17|name=1",
    ),
    ("pr-block-house", "23-18 CALLE 117", "h=23-18|t=CALLE|name=117"),
    ("pr-bloque-casa", "Bloque 23 Casa 18 Calle 117", "h=23-18|line=23-18 CALLE 117"),
    ("pr-avenida", "100 Avenida Ponce de León", "t=AVE|pfx=True|name=PONCE DE LEON"),
    ("pr-calle-unit", "100 Calle Sol Apt 5", "t=CALLE|name=SOL|ut=APT|u=5"),
    ("calle-never-st", "5 Calle Luna Street", "t=CALLE|name=LUNA STREET"),
    ("pr-paseo", "5 Paseo Del Mar", "t=PASEO|name=DEL MAR"),
    ("pr-carretera-km", "Carr 2 Km 3.5", "t=CARR|name=2 KM 3.5"),
    ("camino", "5 Camino Real", "t=CAMINO|pfx=True|name=REAL"),
    ("spanish-oeste", "500 Calle Sol O", "post=W"),
    ("spanish-noroeste", "12 NO Calle Sol", "pre=NW"),
    ("english-prefix-type", "123 Avenue B", "t=AVE|pfx=True|name=B|line=123 AVE B"),
    # roads by number
    ("county-road", "123 County Road 12", "name=COUNTY ROAD 12|t=|u="),
    ("highway-number", "123 Hwy 61", "t=HWY|name=61"),
    # names normalised
    ("saint-in-name", "123 St James Pl", "name=SAINT JAMES|t=PL"),
    ("mount-in-name", "123 Mt Vernon Ave", "name=MOUNT VERNON"),
    # leftovers are kept, not dropped silently
    ("city-in-street-line", "123 Main St Springfield IL", "name=MAIN|left=SPRINGFIELD IL"),
]


def _expected(spec: str) -> dict[str, object]:
    """ "h=123|t=ST|u=" -> {"h": "123", "t": "ST", "u": None}; pfx=True is a boolean."""
    out: dict[str, object] = {}
    for part in spec.split("|"):
        key, value = part.split("=", 1)
        out[key] = value == "True" if key == "pfx" else value or None
    return out


@pytest.mark.parametrize(
    ("line", "spec"), [pytest.param(line, spec, id=label) for label, line, spec in ADDRESSES]
)
def test_parse_address(line: str, spec: str) -> None:
    expected = _expected(spec)
    parsed = parse_address(line)
    got = {key: getattr(parsed, _FIELDS[key]) for key in expected}
    assert got == expected
    assert parsed.is_placeholder is False


def test_spanish_directionals_need_puerto_rico() -> None:
    assert parse_address("123 Sol NO", True).postdir == "NW"
    assert parse_address("123 Sol NO", True).street_name == "SOL"
    assert parse_address("123 Sol NO", False).postdir is None


PLACEHOLDERS = [
    pytest.param("unknown", id="unknown"),
    pytest.param("Unknown Address", id="unknown-address"),
    pytest.param("ADDRESS UNKNOWN", id="address-unknown"),
    pytest.param("Failed to Provide", id="failed-to-provide"),
    pytest.param("N/A", id="n-slash-a"),
    pytest.param("na", id="na"),
    pytest.param("None", id="none"),
    pytest.param("Homeless", id="homeless"),
    pytest.param("-", id="dash"),
    pytest.param("?", id="question-mark"),
    pytest.param("No Address", id="no-address"),
    pytest.param("same", id="same"),
    pytest.param("12345", id="zip-only"),
    pytest.param("12345-6789", id="zip-plus-4-only"),
    pytest.param("0", id="digits-only"),
    pytest.param("", id="empty"),
    pytest.param(None, id="null"),
    pytest.param("   ", id="blank"),
]


@pytest.mark.parametrize("line", PLACEHOLDERS)
def test_placeholders(line: str | None) -> None:
    parsed = parse_address(line)
    assert parsed.is_placeholder is True
    assert parsed.line_std is None
    assert parsed.has_delivery_point is False


def test_parse_never_raises_on_odd_input() -> None:
    odd = [
        "#",
        "# #",
        "APT",
        "PO BOX",
        "RR",
        "URB",
        "CALLE",
        "1/2",
        "---",
        "&",
        "12 & 14 Main",
        "Ñ",
        "\u00a0",
        "BLOQUE",
        "HC BOX",
        "123 N",
        "N",
        "ST",
        "123 APT",
        "x" * 500,
    ]
    for line in odd:
        parse_address(line)
        parse_address(line, True)


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        pytest.param("St. Louis", "SAINT LOUIS", id="st-to-saint"),
        pytest.param("Saint Louis", "SAINT LOUIS", id="saint-kept"),
        pytest.param("Ft Worth", "FORT WORTH", id="ft-to-fort"),
        pytest.param("  san   germán ", "SAN GERMAN", id="accents-spaces"),
        pytest.param("Coeur d'Alene", "COEUR DALENE", id="apostrophe"),
        pytest.param("Winston-Salem", "WINSTON SALEM", id="hyphen"),
        pytest.param("unknown", None, id="placeholder"),
        pytest.param("", None, id="empty"),
    ],
)
def test_city(city: str, expected: str | None) -> None:
    assert standardize_city(city) == expected


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        pytest.param("tx", "TX", id="code-lower"),
        pytest.param("Texas", "TX", id="name"),
        pytest.param("New York", "NY", id="two-word-name"),
        pytest.param("Puerto Rico", "PR", id="puerto-rico"),
        pytest.param("P.R.", "PR", id="dotted-code"),
        pytest.param("District of Columbia", "DC", id="dc"),
        pytest.param("XX", None, id="not-a-state"),
        pytest.param("", None, id="empty"),
    ],
)
def test_state(state: str, expected: str | None) -> None:
    assert standardize_state(state) == expected


@pytest.mark.parametrize(
    ("zip_code", "expected"),
    [
        pytest.param("62701", "62701", id="zip5"),
        pytest.param("62701-1234", "62701", id="zip-plus-4"),
        pytest.param("627011234", "62701", id="zip9"),
        pytest.param(" 00926 ", "00926", id="pr-zip-spaces"),
        pytest.param("1234", None, id="four-digits"),
        pytest.param("00000", None, id="zeros"),
        pytest.param("ABCDE", None, id="letters"),
        pytest.param("", None, id="empty"),
    ],
)
def test_zip(zip_code: str, expected: str | None) -> None:
    assert standardize_zip(zip_code) == expected
