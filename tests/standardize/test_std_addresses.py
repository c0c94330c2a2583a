"""Labelled address cases (Pub 28): each row lists the parts it checks; others are not checked."""

from __future__ import annotations

import pytest

from crossverify.standardize.addresses import parse_address
from crossverify.standardize.places import standardize_city, standardize_state, standardize_zip
from crossverify.standardize.vocab import STREET_TYPE_WORDS, STREET_TYPES

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
    # keying errors in a type or directional word: read as the word meant, name kept
    ("type-letter-doubled", "8169 N Walnut Lanne", "pre=N|name=WALNUT|t=LN"),
    ("type-letters-swapped", "744 Pine Drvie", "name=PINE|t=DR"),
    ("type-letter-dropped", "129 Santa Fe Circe", "name=SANTA FE|t=CIR"),
    ("type-abbreviation-doubled", "1691 COLLEGE BLLVD", "name=COLLEGE|t=BLVD"),
    ("type-after-a-type-word-name", "3020 Valley Aveune", "name=VALLEY|t=AVE"),
    ("directional-mistyped", "6 SOUDHWEST AZALEA RD", "pre=SW|name=AZALEA|t=RD"),
    ("directional-mistyped-before-ordinal", "1064 SOUTHWWEST 34TH PKY", "pre=SW|name=34TH"),
    ("line-is-a-word-not-a-typo", "123 County Line", "name=COUNTY LINE|t="),
    ("lone-word-never-corrected", "123 E Lang", "pre=E|name=LANG|t="),
    ("directional-typo-needs-a-name-after", "5 Norht St", "pre=|name=NORHT|t=ST"),
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
    ("court-crt", "123 Oak Crt", "name=OAK|t=CT|line=123 OAK CT"),
    ("court-crt-dotted", "123 Oak Crt.", "t=CT"),
    ("drive-drv", "9 Oak Drv", "t=DR|line=9 OAK DR"),
    ("av-period-line", "123 Main Av.", "t=AVE|line=123 MAIN AVE"),
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
    ("predir-dotted", "123 N.W. Main St", "pre=NW|name=MAIN|line=123 NW MAIN ST"),
    ("predir-dotted-spaced", "123 N. W. Main St", "pre=NW|name=MAIN|line=123 NW MAIN ST"),
    ("predir-letters-spaced", "123 S E Oak Ave", "pre=SE|name=OAK"),
    ("predir-northwest", "123 Northwest Main St", "pre=NW|name=MAIN"),
    ("predir-two-words", "123 North West Main St", "pre=NW|name=MAIN"),
    ("predir-dotted-no-type", "123 N.E. Broadway", "pre=NE|name=BROADWAY|t="),
    ("postdir-letters-spaced", "123 Main St N W", "post=NW|u=|left=|line=123 MAIN ST NW"),
    ("postdir-dotted-spaced", "123 Main St. N. W. Apt 4", "post=NW|ut=APT|u=4"),
    ("postdir-two-words", "123 Main St North West", "post=NW|line=123 MAIN ST NW"),
    ("postdir-spelled-se", "500 Oak Ave Southeast", "post=SE"),
    ("postdir-spaced-no-type", "123 Broadway N. W.", "name=BROADWAY|post=NW|u="),
    ("west-st-keeps-name", "123 North West St", "pre=N|name=WEST|t=ST"),
    # periods written without a space: dropped between single letters, else a word break
    ("dir-glued-period", "123 N.Main St", "pre=N|name=MAIN|t=ST|line=123 N MAIN ST"),
    ("dirs-glued-periods", "123 N.W.Main St", "pre=NW|name=MAIN|t=ST"),
    ("postdir-glued-periods", "2000 Pennsylvania Av.N.W.", "t=AVE|post=NW|name=PENNSYLVANIA"),
    ("saint-glued-period", "123 St.James Pl", "name=SAINT JAMES|t=PL"),
    ("apt-glued-period", "123 Main St.Apt.4", "t=ST|ut=APT|u=4|left="),
    ("po-box-glued-periods", "P.O.Box 12", "box=12|line=PO BOX 12"),
    ("pob-glued-periods", "P.O.B.12", "box=12"),
    ("rr-glued-periods", "R.R.1 Box 5", "rr=RR 1 BOX 5"),
    ("urb-glued-period", "Urb.Levittown 8-30 Calle 16", "urb=URB LEVITTOWN|h=8-30|name=16"),
    ("km-decimal-kept", "Carr 2 Km 3.5", "t=CARR|name=2 KM 3.5"),
    ("dc-letter-street-spaced-dir", "123 E St N W", "pre=|name=E|post=NW"),
    ("lone-directional-no-name", "1234 W", "h=1234|name=|post=W|line=1234 W"),
    ("lone-two-word-directional", "1234 N. W.", "h=1234|pre=|name=|post=NW"),
    # ordinals
    ("ordinal-spelled", "1 First Ave", "name=1ST|line=1 1ST AVE"),
    ("ordinal-lower", "1 1st Ave", "name=1ST"),
    ("ordinal-hyphenated", "12 Twenty-First St", "name=21ST"),
    ("ordinal-two-words", "12 twenty first street", "name=21ST"),
    ("ordinal-old-style", "5 W 42d St", "pre=W|name=42ND"),
    ("ordinal-no-house", "5th Ave", "h=|name=5TH|t=AVE"),
    ("ordinal-no-type-spelled", "4644 Eighth", "h=4644|name=8TH|t=|line=4644 8TH"),
    ("ordinal-no-type", "4644 8th", "h=4644|name=8TH|t="),
    ("ordinal-no-type-unit", "10037 4th Apt 25", "h=10037|name=4TH|t=|ut=APT|u=25"),
    ("ordinal-spelled-no-house", "Eighth St", "h=|name=8TH|t=ST"),
    ("bare-number-street", "4644 8 St", "h=4644|name=8TH|t=ST|line=4644 8TH ST"),
    ("bare-number-avenue-dirs", "4644 W 21 Ave NW", "pre=W|name=21ST|t=AVE|post=NW"),
    ("bare-number-road", "100 2 Rd", "name=2ND|t=RD"),
    ("bare-number-street-unit", "4644 3 St Apt 2", "name=3RD|t=ST|ut=APT|u=2"),
    ("number-street-no-house", "8 St", "line=8 ST"),
    ("number-words-kept", "123 8 Mile Rd", "name=8 MILE|t=RD"),
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
    ("pob-spaced", "P O B 123", "box=123|name=|u=|line=PO BOX 123"),
    ("pob-dotted", "P.O.B. 123", "box=123|line=PO BOX 123"),
    ("pob-dotted-spaced", "P. O. B. 123", "box=123"),
    ("po-bx", "PO BX 123", "box=123|line=PO BOX 123"),
    ("p-o-bx", "P O Bx 123", "box=123"),
    ("box-alone", "BOX 123", "box=123|h=|line=PO BOX 123"),
    ("post-office-box-upper", "POST OFFICE BOX 123", "box=123|line=PO BOX 123"),
    ("po-box-number-glued", "PO Box123", "box=123"),
    ("pobox-number-glued", "POBOX123", "box=123"),
    ("po-box-number-letter-glued", "PO Box123A", "box=123A"),
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
    ("rt-box", "RT 1 BOX 6998", "rr=RR 1 BOX 6998|h=|name=|u=|line=RR 1 BOX 6998"),
    ("rte-box", "RTE 1 BOX 5", "rr=RR 1 BOX 5|name=|line=RR 1 BOX 5"),
    ("route-box", "Route 1 Box 5", "rr=RR 1 BOX 5"),
    ("rural-route-upper", "RURAL ROUTE 1 BOX 5", "rr=RR 1 BOX 5"),
    ("rural-rte", "Rural Rte 3 Box 12", "rr=RR 3 BOX 12"),
    ("r-r-spaced", "R R 1 BOX 5", "rr=RR 1 BOX 5|name=|u=|line=RR 1 BOX 5"),
    ("r-r-dotted-spaced", "R. R. 1 Box 5", "rr=RR 1 BOX 5"),
    ("rr-dotted", "R.R. 1 Box 5", "rr=RR 1 BOX 5"),
    ("rfd-route", "RFD Route 4 Box 2", "rr=RR 4 BOX 2"),
    ("rr-route-word", "RR Rte 4 Box 2", "rr=RR 4 BOX 2"),
    ("hc-upper", "HC 1 BOX 5", "rr=HC 1 BOX 5|line=HC 1 BOX 5"),
    ("highway-contract-upper", "HIGHWAY CONTRACT 1 BOX 5", "rr=HC 1 BOX 5|name="),
    ("hcr", "HCR 1 Box 5", "rr=HC 1 BOX 5"),
    ("h-c-spaced", "H C 1 Box 5", "rr=HC 1 BOX 5"),
    ("star-route", "Star Route 1 Box 5", "rr=HC 1 BOX 5"),
    ("state-route-stays-street", "123 Route 1", "h=123|rr=|t=RTE|pfx=True|name=1"),
    ("route-without-box-stays-street", "123 RT 9 Apt 2", "h=123|rr=|ut=APT|u=2"),
    ("rt-is-route-type", "123 Rt 9", "h=123|t=RTE|pfx=True|name=9|rr=|line=123 RTE 9"),
    ("rr-with-unit", "RR 1 Box 5 Apt 2", "rr=RR 1 BOX 5|ut=APT|u=2|name=|left="),
    # Puerto Rico (Appendix I)
    (
        "pr-urb-calle-keeps-calle",
        "URB LAS LOMAS A17 CALLE 1",
        "urb=URB LAS LOMAS|h=A17|t=CALLE|pfx=True|name=1|line=A17 CALLE 1",
    ),
    ("pr-urb-after", "A17 Calle 1 Urb. Las Lomas", "urb=URB LAS LOMAS|h=A17|t=CALLE"),
    ("pr-urb-only", "Urb Las Lomas", "urb=URB LAS LOMAS|h=|name=|line=URB LAS LOMAS"),
    (
        "pr-house-after-street",
        "Urbanización Las Lomas, Calle 1 A17",
        "urb=URB LAS LOMAS|h=A17|name=1",
    ),
    ("pr-block-house", "23-18 CALLE 117", "h=23-18|t=CALLE|name=117"),
    ("pr-bloque-casa", "Bloque 23 Casa 18 Calle 117", "h=23-18|line=23-18 CALLE 117"),
    (
        "pr-bloque-letter-casa",
        "Calle 12 Bloque L Casa 47",
        "h=L47|t=CALLE|pfx=True|name=12|left=|line=L47 CALLE 12",
    ),
    ("pr-letter-house", "L47 CALLE 12", "h=L47|t=CALLE|name=12|line=L47 CALLE 12"),
    ("pr-letter-hyphen-house", "L-47 Calle 12", "h=L47|name=12"),
    (
        "pr-bloque-urb-after",
        "Calle 16 Bloque 8 Casa 30, Urb Levittown",
        "h=8-30|t=CALLE|name=16|urb=URB LEVITTOWN|left=|line=8-30 CALLE 16",
    ),
    (
        "pr-block-house-urb-after",
        "8-30 CALLE 16 URB LEVITTOWN",
        "h=8-30|t=CALLE|name=16|urb=URB LEVITTOWN|line=8-30 CALLE 16",
    ),
    (
        "pr-urbanizacion-before-bloque",
        "Urbanizacion Levittown Calle 16 Bloque 8 Casa 30",
        "h=8-30|name=16|urb=URB LEVITTOWN|left=",
    ),
    ("pr-blq-hash", "Calle 16 Blq. 8 #30", "h=8-30|name=16|u=|left="),
    ("pr-bloque-lote", "Calle 16 Bloque 8 Lote 30", "h=8-30|name=16"),
    (
        "pr-house-after-calle-urb-dot",
        "Calle 7 9-41 Urb. Baldrich",
        "h=9-41|t=CALLE|name=7|urb=URB BALDRICH|left=|line=9-41 CALLE 7",
    ),
    (
        "pr-letter-house-urb-after",
        "M34 CALLE 33 URB SANTA JUANITA",
        "h=M34|t=CALLE|pfx=True|name=33|urb=URB SANTA JUANITA|left=|line=M34 CALLE 33",
    ),
    (
        "pr-urb-dot-before",
        "Urb. Santa Juanita M34 Calle 33",
        "h=M34|t=CALLE|name=33|urb=URB SANTA JUANITA",
    ),
    (
        "pr-urbanizacion-before-house-after",
        "Urbanización Santa Juanita Calle 33 M34",
        "h=M34|name=33|urb=URB SANTA JUANITA|left=",
    ),
    ("pr-avenida", "100 Avenida Ponce de León", "t=AVE|pfx=True|name=PONCE DE LEON"),
    ("pr-calle-unit", "100 Calle Sol Apt 5", "t=CALLE|name=SOL|ut=APT|u=5"),
    ("calle-never-st", "5 Calle Luna Street", "t=CALLE|name=LUNA STREET"),
    ("pr-paseo", "5 Paseo Del Mar", "t=PASEO|name=DEL MAR"),
    ("pr-carretera-km", "Carr 2 Km 3.5", "t=CARR|name=2 KM 3.5"),
    ("camino", "5 Camino Real", "t=CAMINO|pfx=True|name=REAL"),
    ("spanish-oeste", "500 Calle Sol O", "post=W"),
    ("spanish-noroeste", "12 NO Calle Sol", "pre=NW"),
    ("spanish-dir-spaced", "123 Calle Sol N. O.", "t=CALLE|name=SOL|post=NW"),
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


# Pub 28 Appendix C1: the primary suffix name, then every commonly used abbreviation USPS
# lists for it, standard first. CRT is not in C1 but common in the wild; it is COURT.
C1_SAMPLE = """
AVE AVENUE AV AVEN AVENU AVN AVNUE | CT COURT CRT | DR DRIVE DRIV DRV | ST STREET STR STRT
BLVD BOULEVARD BOUL BOULV | CIR CIRCLE CIRC CIRCL CRCL CRCLE | LN LANE | PL PLACE
CTR CENTER CEN CENT CENTR CENTRE CNTER CNTR | EXPY EXPRESSWAY EXP EXPR EXPRESS EXPW
HWY HIGHWAY HIGHWY HIWAY HIWY HWAY | JCT JUNCTION JCTION JCTN JUNCTN JUNCTON
STRA STRAVENUE STRAV STRAVEN STRAVN STRVN STRVNUE | TUNL TUNNEL TUNEL TUNLS TUNNELS TUNNL
VLG VILLAGE VILL VILLAG VILLG VILLIAGE | MTN MOUNTAIN MNTAIN MNTN MOUNTIN MTIN
PKWY PARKWAY PARKWY PKWAY PKY PARKWAYS PKWYS | TER TERRACE TERR | TRL TRAIL TRAILS TRLS
WAY WY | XING CROSSING CRSSNG | HOLW HOLLOW HLLW HOLLOWS HOLWS | CSWY CAUSEWAY CAUSWA
TPKE TURNPIKE TRNPK TURNPK | SQ SQUARE SQR SQRE SQU | GTWY GATEWAY GATEWY GATWAY GTWAY
FWY FREEWAY FREEWY FRWAY FRWY | BYP BYPASS BYPA BYPAS BYPS | RADL RADIAL RAD RADIEL
"""
C1_CASES = [
    pytest.param(variant, entry[0], id=f"{variant}-{entry[0]}")
    for line in C1_SAMPLE.strip().splitlines()
    for part in line.split("|")
    for entry in [part.split()]
    for variant in entry
]


@pytest.mark.parametrize(("variant", "standard"), C1_CASES)
def test_c1_suffix_variants(variant: str, standard: str) -> None:
    parsed = parse_address(f"9 Oak {variant.title()}")
    assert (parsed.street_name, parsed.street_type, parsed.leftover) == ("OAK", standard, None)


def test_c1_table_is_whole() -> None:
    # C1 has 202 standard abbreviations and 549 spellings; each standard reads as itself.
    standards = set(STREET_TYPES.values())
    assert len(standards) == 202
    assert len(STREET_TYPES) >= 549
    assert all(STREET_TYPES[standard] == standard for standard in standards)
    assert STREET_TYPE_WORDS["CRT"] == "COURT"  # "CRT HOUSE ST": spelled out inside a name


# Lines written differently that Pub 28 folds to one address: every parsed part agrees.
EQUIVALENT = [
    ("pr-bloque-letter", "Calle 12 Bloque L Casa 47", "L47 CALLE 12"),
    (
        "pr-bloque-number-urb",
        "Calle 16 Bloque 8 Casa 30, Urb Levittown",
        "8-30 CALLE 16 URB LEVITTOWN",
    ),
    ("pr-urb-first", "URB LEVITTOWN 8-30 CALLE 16", "8-30 CALLE 16 URB LEVITTOWN"),
    ("pr-house-after-calle", "Calle 7 9-41 Urb. Baldrich", "9-41 CALLE 7 URB BALDRICH"),
    ("pr-urbanizacion", "Urbanizacion Baldrich 9-41 Calle 7", "9-41 CALLE 7 URB BALDRICH"),
    ("pr-letter-hyphen", "L-47 Calle 12", "L47 CALLE 12"),
    ("ordinal-no-type", "4644 Eighth", "4644 8TH"),
    ("ordinal-no-type-unit", "10037 Fourth Apartment 25", "10037 4TH APT 25"),
    ("ordinal-spelled-st", "Eighth St", "8th St"),
    ("bare-number-st", "4644 8 St", "4644 8th St"),
    ("spelled-ordinal-street", "4644 Eighth Street", "4644 8TH ST"),
    ("dotted-dir", "123 N.W. Main St", "123 NW Main St"),
    ("spelled-dir", "123 Northwest Main St", "123 NW Main St"),
    ("spaced-dir", "123 N W Main St", "123 NW Main St"),
    ("two-word-dir", "123 North West Main St", "123 NW Main St"),
    ("dotted-postdir", "2000 Pennsylvania Av. N. W.", "2000 PENNSYLVANIA AVE NW"),
    ("crt", "12 Oak Crt", "12 Oak Court"),
    ("rt", "RT 1 BOX 6998", "RR 1 BOX 6998"),
    ("rte", "RTE 1 BOX 5", "RR 1 BOX 5"),
    ("rural-route", "RURAL ROUTE 1 BOX 5", "RR 1 BOX 5"),
    ("r-r", "R R 1 BOX 5", "RR 1 BOX 5"),
    ("highway-contract", "HIGHWAY CONTRACT 1 BOX 5", "HC 1 BOX 5"),
    ("pob", "POB 123", "PO Box 123"),
    ("p-o-b", "P O B 123", "PO Box 123"),
    ("po-bx", "PO BX 123", "PO Box 123"),
    ("box", "BOX 123", "PO Box 123"),
    ("post-office-box", "Post Office Box 123", "PO Box 123"),
    ("p-o-b-dotted", "P.O.B. 123", "PO Box 123"),
]


@pytest.mark.parametrize(
    ("written", "standard"), [pytest.param(a, b, id=label) for label, a, b in EQUIVALENT]
)
def test_variants_fold_to_one_address(written: str, standard: str) -> None:
    assert parse_address(written) == parse_address(standard)
    assert parse_address(written, True) == parse_address(standard, True)


@pytest.mark.parametrize(
    "line", [pytest.param(line, id=label) for label, line, _ in ADDRESSES + EQUIVALENT]
)
def test_line_std_reads_back_the_same(line: str) -> None:
    # The standard line is itself a standard address: parsing it again changes nothing.
    parsed = parse_address(line)
    if parsed.line_std is not None and parsed.address_type != "ambiguous":
        assert parse_address(parsed.line_std).line_std == parsed.line_std


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("RT 1 BOX 6998", True, id="rt-box"),
        pytest.param("R R 1 BOX 5", True, id="r-r-box"),
        pytest.param("HIGHWAY CONTRACT 1 BOX 5", True, id="highway-contract"),
        pytest.param("P O B 123", True, id="p-o-b"),
        pytest.param("BOX 123", True, id="box"),
        pytest.param("Calle 12 Bloque L Casa 47", True, id="pr-bloque"),
        pytest.param("4644 Eighth", True, id="ordinal-no-type"),
        pytest.param("1234 W", False, id="house-and-directional-only"),
        pytest.param("1234 North", False, id="house-and-spelled-directional-only"),
        pytest.param("Main Street", False, id="no-house-number"),
        pytest.param("RT 1", False, id="route-number-only"),
    ],
)
def test_delivery_point(line: str, expected: bool) -> None:
    assert parse_address(line).has_delivery_point is expected


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
        "URB X",
        "R R",
        "RT 1 BOX",
        "P O B",
        "BLOQUE A CASA",
        "N W",
        "123 N W",
        "BOX123",
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
