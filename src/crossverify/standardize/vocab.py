"""Word lists the name and address parsers share: Pub 28 tables, states, particles, nicknames.

Everything here is uppercase ASCII (accents folded) and built once at import from literal
tables; no file or network is read. To add a variant, add a word to the right table.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final


def _table(spec: str) -> dict[str, str]:
    """Parse lines of ``STANDARD variant variant ...`` into {variant: STANDARD}.

    An underscore inside a word stands for a space (``NEW_YORK`` -> ``NEW YORK``).
    """
    table: dict[str, str] = {}
    for entry in _entries(spec):
        for word in entry:
            table.setdefault(word, entry[0])
    return table


def _name_table(spec: str) -> dict[str, tuple[str, ...]]:
    """Lines "NAME NAME:TARGET TARGET" -> each name mapped to the targets."""
    table: dict[str, tuple[str, ...]] = {}
    for line in spec.strip().splitlines():
        names, targets = line.split(":")
        for name in names.split():
            table[name] = tuple(targets.split())
    return table


def _words(text: str) -> list[str]:
    """The whitespace-separated words of a literal word list."""
    return text.split()


def _entries(spec: str) -> list[list[str]]:
    """Entries of a table: one per line or per ``|``-separated part of a line."""
    return [
        [word.replace("_", " ") for word in part.split()]
        for line in spec.strip().splitlines()
        for part in line.split("|")
        if part.strip()
    ]


# USPS Publication 28, Appendix C1 (street suffixes). Each line: standard abbreviation, then
# the primary suffix name, then the common abbreviations USPS lists for it.
_C1 = """
ALY ALLEY ALLEE ALLY | ANX ANEX ANNEX ANNX | ARC ARCADE | AVE AVENUE AV AVEN AVENU AVN AVNUE
BYU BAYOU BAYOO | BCH BEACH | BND BEND | BLF BLUFF BLUF | BLFS BLUFFS | BTM BOTTOM BOT BOTTM
BLVD BOULEVARD BOUL BOULV | BR BRANCH BRNCH | BRG BRIDGE BRDGE | BRK BROOK | BRKS BROOKS
BG BURG | BGS BURGS | BYP BYPASS BYPA BYPAS BYPS | CP CAMP CMP | CYN CANYON CANYN CNYN
CPE CAPE | CSWY CAUSEWAY CAUSWA | CTR CENTER CEN CENT CENTR CENTRE CNTER CNTR | CTRS CENTERS
CIR CIRCLE CIRC CIRCL CRCL CRCLE | CIRS CIRCLES | CLF CLIFF | CLFS CLIFFS | CLB CLUB
CMN COMMON | CMNS COMMONS | COR CORNER | CORS CORNERS | CRSE COURSE | CT COURT | CTS COURTS
CV COVE | CVS COVES | CRK CREEK | CRES CRESCENT CRSENT CRSNT | CRST CREST
XING CROSSING CRSSNG | XRD CROSSROAD | XRDS CROSSROADS | CURV CURVE | DL DALE | DM DAM
DV DIVIDE DIV DVD | DR DRIVE DRIV DRV | DRS DRIVES | EST ESTATE | ESTS ESTATES
EXPY EXPRESSWAY EXP EXPR EXPRESS EXPW | EXT EXTENSION EXTN EXTNSN | EXTS EXTENSIONS
FALL FALL | FLS FALLS | FRY FERRY FRRY | FLD FIELD | FLDS FIELDS | FLT FLAT | FLTS FLATS
FRD FORD | FRDS FORDS | FRST FOREST FORESTS | FRG FORGE FORG | FRGS FORGES | FRK FORK
FRKS FORKS | FT FORT FRT | FWY FREEWAY FREEWY FRWAY FRWY | GDN GARDEN GARDN GRDEN GRDN
GDNS GARDENS GRDNS | GTWY GATEWAY GATEWY GATWAY GTWAY | GLN GLEN | GLNS GLENS | GRN GREEN
GRNS GREENS | GRV GROVE GROV | GRVS GROVES | HBR HARBOR HARB HARBR HRBOR | HBRS HARBORS
HVN HAVEN | HTS HEIGHTS HT | HWY HIGHWAY HIGHWY HIWAY HIWY HWAY | HL HILL | HLS HILLS
HOLW HOLLOW HLLW HOLLOWS HOLWS | INLT INLET | IS ISLAND ISLND | ISS ISLANDS ISLNDS
ISLE ISLE ISLES | JCT JUNCTION JCTION JCTN JUNCTN JUNCTON | JCTS JUNCTIONS JCTNS | KY KEY
KYS KEYS | KNL KNOLL KNOL | KNLS KNOLLS | LK LAKE | LKS LAKES | LAND LAND
LNDG LANDING LNDNG | LN LANE | LGT LIGHT | LGTS LIGHTS | LF LOAF | LCK LOCK | LCKS LOCKS
LDG LODGE LDGE LODG | LOOP LOOP LOOPS | MALL MALL | MNR MANOR | MNRS MANORS | MDW MEADOW
MDWS MEADOWS MEDOWS | MEWS MEWS | ML MILL | MLS MILLS | MSN MISSION MISSN MSSN
MTWY MOTORWAY | MT MOUNT MNT | MTN MOUNTAIN MNTAIN MNTN MOUNTIN MTIN | MTNS MOUNTAINS MNTNS
NCK NECK | ORCH ORCHARD ORCHRD | OVAL OVAL OVL | OPAS OVERPASS | PARK PARK PRK PARKS
PKWY PARKWAY PARKWY PKWAY PKY PARKWAYS PKWYS | PASS PASS | PSGE PASSAGE | PATH PATH PATHS
PIKE PIKE PIKES | PNE PINE | PNES PINES | PL PLACE | PLN PLAIN | PLNS PLAINS
PLZ PLAZA PLZA | PT POINT | PTS POINTS | PRT PORT | PRTS PORTS | PR PRAIRIE PRR
RADL RADIAL RAD RADIEL | RAMP RAMP | RNCH RANCH RANCHES RNCHS | RPD RAPID | RPDS RAPIDS
RST REST | RDG RIDGE RDGE | RDGS RIDGES | RIV RIVER RVR RIVR | RD ROAD | RDS ROADS
RTE ROUTE | ROW ROW | RUE RUE | RUN RUN | SHL SHOAL | SHLS SHOALS | SHR SHORE SHOAR
SHRS SHORES SHOARS | SKWY SKYWAY | SPG SPRING SPNG SPRNG | SPGS SPRINGS SPNGS SPRNGS
SPUR SPUR SPURS | SQ SQUARE SQR SQRE SQU | SQS SQUARES SQRS | STA STATION STATN STN
STRA STRAVENUE STRAV STRAVEN STRAVN STRVN STRVNUE | STRM STREAM STREME | ST STREET STRT STR
STS STREETS | SMT SUMMIT SUMIT SUMITT | TER TERRACE TERR | TRWY THROUGHWAY
TRCE TRACE TRACES | TRAK TRACK TRACKS TRK TRKS | TRFY TRAFFICWAY | TRL TRAIL TRAILS TRLS
TRLR TRAILER TRLRS | TUNL TUNNEL TUNEL TUNLS TUNNELS TUNNL | TPKE TURNPIKE TRNPK TURNPK
UPAS UNDERPASS | UN UNION | UNS UNIONS | VLY VALLEY VALLY VLLY | VLYS VALLEYS
VIA VIADUCT VDCT VIADCT | VW VIEW | VWS VIEWS | VLG VILLAGE VILL VILLAG VILLG VILLIAGE
VLGS VILLAGES | VL VILLE | VIS VISTA VIST VST VSTA | WALK WALK WALKS | WALL WALL
WAY WAY WY | WAYS WAYS | WL WELL | WLS WELLS
"""

# Suffix spellings common in source data that C1 does not list (same line format as _C1).
_C1_FIELD_VARIANTS = """
CT COURT CRT | RTE ROUTE RT
"""

STREET_TYPES: Final = MappingProxyType(_table(_C1 + _C1_FIELD_VARIANTS))
"""Every C1 spelling -> its standard abbreviation (``AVENUE`` -> ``AVE``, ``CRT`` -> ``CT``)."""

STREET_TYPE_WORDS: Final = MappingProxyType(
    {
        variant: entry[1]
        for entry in _entries(_C1 + _C1_FIELD_VARIANTS)
        for variant in entry
        if variant != entry[1]
    }
)
"""Abbreviation -> primary word, for type words inside a street name (Pub 28 §234.2)."""

# Abbreviations too ambiguous to spell out when they appear inside a street name.
NAME_WORDS_KEPT: Final = frozenset(
    _words("VIA UN IS PR EST CP DL DM LF ML VL HT BR BG TRLR DV DIV EXP ST MT FT PT")
)

# Puerto Rico / Spanish type words written before the name (Pub 28 Appendix I).
# CALLE is never turned into ST: a PR address with ST is undeliverable.
SPANISH_PREFIX_TYPES: Final = MappingProxyType(
    {
        word: standard
        for word, standard in _table(
            "CALLE | AVE AVENIDA AVDA | PASEO PSO | CARR CARRETERA | CAMINO | VIA | CALLEJON CJON"
        ).items()
        if word != "AVE"  # AVE alone is English too; only AVENIDA/AVDA mark Spanish
    }
)

# Highway-like types that take a number after them ("COUNTY ROAD 12", "US HWY 61").
NUMBERED_ROUTE_TYPES: Final = frozenset({"HWY", "RTE", "RD", "FWY", "EXPY", "TPKE", "PIKE"})

DIRECTIONALS: Final = MappingProxyType(
    _table(
        """
N NORTH
S SOUTH
E EAST
W WEST
NE NORTHEAST
NW NORTHWEST
SE SOUTHEAST
SW SOUTHWEST
"""
    )
)

# Spanish directionals, read only in a Puerto Rico / Spanish-address context.
SPANISH_DIRECTIONALS: Final = MappingProxyType(
    _table(
        """
N NORTE
S SUR
E ESTE
W OESTE O
NE NORESTE
NW NOROESTE NO
SE SURESTE
SW SUROESTE SO
"""
    )
)

# USPS Publication 28, Appendix C2 (secondary unit designators), plus Spanish forms.
UNIT_TYPES: Final = MappingProxyType(
    _table(
        """
APT APARTMENT APTO APARTAMENTO
BSMT BASEMENT
BLDG BUILDING BLD EDIF EDIFICIO
DEPT DEPARTMENT
FL FLOOR FLR PISO
FRNT FRONT
HNGR HANGAR
KEY
LBBY LOBBY
LOT
LOWR LOWER
OFC OFFICE
PH PENTHOUSE
PIER
REAR
RM ROOM
SIDE
SLIP
SPC SPACE SP
STOP
STE SUITE
TRLR TRAILER
UNIT
UPPR UPPER
"""
    )
)
UNIT_TYPES_WITHOUT_NUMBER: Final = frozenset(
    {"BSMT", "FRNT", "LBBY", "LOWR", "OFC", "PH", "REAR", "SIDE", "UPPR"}
)

ORDINAL_WORDS: Final = MappingProxyType(
    {
        word: n
        for n, word in enumerate(
            _words(
                "FIRST SECOND THIRD FOURTH FIFTH SIXTH SEVENTH EIGHTH NINTH TENTH ELEVENTH"
                " TWELFTH THIRTEENTH FOURTEENTH FIFTEENTH SIXTEENTH SEVENTEENTH EIGHTEENTH"
                " NINETEENTH TWENTIETH"
            ),
            start=1,
        )
    }
    | {
        "THIRTIETH": 30,
        "FORTIETH": 40,
        "FIFTIETH": 50,
        "SIXTIETH": 60,
        "SEVENTIETH": 70,
        "EIGHTIETH": 80,
        "NINETIETH": 90,
    }
)
TENS_WORDS: Final = MappingProxyType(
    {
        "TWENTY": 20,
        "THIRTY": 30,
        "FORTY": 40,
        "FIFTY": 50,
        "SIXTY": 60,
        "SEVENTY": 70,
        "EIGHTY": 80,
        "NINETY": 90,
    }
)

STATES: Final = MappingProxyType(
    _table(
        """
AL ALABAMA | AK ALASKA | AZ ARIZONA | AR ARKANSAS | CA CALIFORNIA CALIF | CO COLORADO
CT CONNECTICUT | DE DELAWARE | DC DISTRICT_OF_COLUMBIA WASHINGTON_DC | FL FLORIDA
GA GEORGIA | HI HAWAII | ID IDAHO | IL ILLINOIS | IN INDIANA | IA IOWA | KS KANSAS
KY KENTUCKY | LA LOUISIANA | ME MAINE | MD MARYLAND | MA MASSACHUSETTS | MI MICHIGAN
MN MINNESOTA | MS MISSISSIPPI | MO MISSOURI | MT MONTANA | NE NEBRASKA | NV NEVADA
NH NEW_HAMPSHIRE | NJ NEW_JERSEY | NM NEW_MEXICO | NY NEW_YORK | NC NORTH_CAROLINA
ND NORTH_DAKOTA | OH OHIO | OK OKLAHOMA | OR OREGON | PA PENNSYLVANIA | RI RHODE_ISLAND
SC SOUTH_CAROLINA | SD SOUTH_DAKOTA | TN TENNESSEE | TX TEXAS | UT UTAH | VT VERMONT
VA VIRGINIA | WA WASHINGTON | WV WEST_VIRGINIA | WI WISCONSIN | WY WYOMING
PR PUERTO_RICO | VI VIRGIN_ISLANDS US_VIRGIN_ISLANDS | GU GUAM | AS AMERICAN_SAMOA
MP NORTHERN_MARIANA_ISLANDS | FM FEDERATED_STATES_OF_MICRONESIA MICRONESIA
MH MARSHALL_ISLANDS | PW PALAU | AA ARMED_FORCES_AMERICAS | AE ARMED_FORCES_EUROPE
AP ARMED_FORCES_PACIFIC
"""
    )
)
"""Two-letter codes and full names (uppercase, spaces) -> USPS two-letter code."""

# ZIP prefixes of Puerto Rico (006, 007, 009); Spanish address rules apply there.
PUERTO_RICO_ZIP_PREFIXES: Final = ("006", "007", "009")

# City words spelled out in one form (USPS city names use SAINT, FORT, MOUNT).
CITY_WORDS: Final = MappingProxyType({"ST": "SAINT", "FT": "FORT", "MT": "MOUNT"})

# Street-line values that mean "no address" (compared with punctuation removed).
PLACEHOLDER_WORDS: Final = frozenset(
    _words(
        """UNKNOWN UNK UNKOWN UNKNWN NONE NA N A NULL NIL NOT NO PROVIDED PROVIDE GIVEN FAILED
        TO ADDRESS ADDR SAME AS ABOVE HOMELESS REFUSED DECLINED AVAILABLE APPLICABLE TBD
        XXX XX X UNAVAILABLE NOTHING STREET ON FILE"""
    )
)

# Values of a city field that mean "no city".
PLACEHOLDER_CITIES: Final = frozenset(
    {"", "UNKNOWN", "UNK", "NONE", "NA", "N A", "NULL", "X", "XX", "XXX", "TBD", "SAME"}
)

# --- names -------------------------------------------------------------------------------

GENERATIONAL_SUFFIXES: Final = MappingProxyType(
    _table(
        """
JR JUNIOR JNR
SR SENIOR SNR
II 2ND 2D
III 3RD 3D
IV 4TH
V 5TH
"""
    )
)
"""Generational suffix spellings -> JR, SR, II, III, IV or V."""

# Suffixes that could just as well be a middle initial when found in a given/middle name.
SUFFIXES_AMBIGUOUS_IN_GIVEN: Final = frozenset({"V"})

# Titles and degrees dropped from names (IRS ignores titles in the name control).
TITLES_BEFORE: Final = frozenset({"MR", "MRS", "MS", "MISS", "DR", "PROF", "REV", "SRA", "SRTA"})
TITLES_AFTER: Final = frozenset({"ESQ", "MD", "PHD", "DDS", "DVM", "CPA", "RN"})

# Name values that mean "no name" (FNU/LNU = first/last name unknown, NMN = no middle name).
PLACEHOLDER_NAMES: Final = frozenset(
    {
        "FNU",
        "LNU",
        "NFN",
        "NLN",
        "NMN",
        "NMI",
        "UNKNOWN",
        "UNK",
        "NONE",
        "NA",
        "N A",
        "NULL",
        "X",
        "XX",
        "XXX",
        "TEST",
        "NO NAME",
    }
)

# Surname particles: kept in surname_std and the IRS name control, dropped from surname_keys
# when a core surname follows them.
PARTICLES: Final = frozenset(
    _words(
        """DE DEL DELA DELOS DELAS LA LAS LOS LO DA DAS DO DOS DI DU DELLA DELLE DEGLI DEI
        VAN VON DER DEN TER TEN LE LES"""
    )
)

# Prefixes written apart but belonging to the next word ("MC CEDAR" -> MCCEDAR, "O NEIL").
JOINED_PREFIXES: Final = frozenset({"MC", "MAC", "O", "ST"})

# Joiners of two surnames ("Garcia y Lopez").
SURNAME_JOINERS: Final = frozenset({"Y"})

# Edges of the ``nicknames`` package table that would make unrelated names agree.
NICKNAME_EDGES_DROPPED: Final = frozenset({("ROBERT", "BILL"), ("ROBERT", "BILLY")})

SPANISH_DIMINUTIVES: Final = MappingProxyType(
    _name_table(
        """
PANCHO PACO PAQUITO PACHO CURRO:FRANCISCO
PAQUITA PANCHA:FRANCISCA
KIKO:FRANCISCO ENRIQUE
PEPE PEPITO CHEPE CHEMA JOSELITO:JOSE
PEPA PEPITA:JOSEFA JOSEFINA
CHEPA:JOSEFA
LUPE LUPITA:GUADALUPE
CHUY CHUCHO:JESUS
KIKE QUIQUE:ENRIQUE
NACHO:IGNACIO
BETO:ROBERTO ALBERTO HUMBERTO GILBERTO HERIBERTO
LALO:EDUARDO
CHAYO CHARO:ROSARIO
CONCHA CONCHITA CONCHI:CONCEPCION
MEMO GUILLE:GUILLERMO
TONO:ANTONIO
TONA:ANTONIA
LOLA LOLITA:DOLORES
CHELA:GRACIELA
CHENTE:VICENTE
CHAVA CHAVO:SALVADOR
CHALO:GONZALO
GOYO:GREGORIO
LENCHO:LORENZO
LICHA:ALICIA
LUCHO:LUIS
RAFA:RAFAEL
SANTI:SANTIAGO
TERE:TERESA
VERO:VERONICA
NANDO:FERNANDO HERNANDO
FER:FERNANDO
JAVI:JAVIER
ALE:ALEJANDRO ALEJANDRA
MANOLO:MANUEL
MONCHO:RAMON
MUNDO:RAYMUNDO EDMUNDO
NICO:NICOLAS
POLO:LEOPOLDO HIPOLITO
FITO:ADOLFO RODOLFO
FICO:FEDERICO
TACHO:ANASTASIO
CHABELA CHAVELA:ISABEL
YOLI:YOLANDA
SUSI:SUSANA
NATY:NATALIA
PATY PATI:PATRICIA
PILI:PILAR
MA:MARIA
GABY GABI:GABRIELA
MECHE:MERCEDES
CHELO:CONSUELO
COCO:SOCORRO
CUCA CUCO:REFUGIO
FINA:JOSEFINA
CHEMO:JOSE
MAYTE MAITE:MARIA
MARU:MARIA
NENA:MAGDALENA ELENA
LENA:MAGDALENA ELENA
PACHA:FRANCISCA
"""
    )
)
"""Spanish diminutive -> the canonical given names it stands for (accents folded)."""

ENGLISH_FORMS_OF_SPANISH_NAMES: Final = MappingProxyType(
    _name_table(
        """
FRANK FRANCIS:FRANCISCO
FRANCES:FRANCISCA
JOE JOSEPH:JOSE
JOSIE JOSEPHINE:JOSEFINA
JESSE:JESUS
HENRY HANK:ENRIQUE
ROBERT BOB BOBBY:ROBERTO
ALBERT AL:ALBERTO
EDWARD EDDIE ED:EDUARDO
ANTHONY TONY:ANTONIO
MANNY:MANUEL
RICHARD RICK RICKY:RICARDO
RALPH:RAFAEL
GERALD JERRY:GERARDO
WILLIAM BILL WILL:GUILLERMO
CHARLES CHARLIE:CARLOS
ALEXANDER:ALEJANDRO
ALEX:ALEJANDRO ALEJANDRA
ALEXANDRA:ALEJANDRA
MICHAEL MIKE:MIGUEL
JOHN JOHNNY:JUAN
PETER PETE:PEDRO
PAUL:PABLO
GEORGE:JORGE
LOUIS LOUIE:LUIS
ANDREW ANDY:ANDRES
THOMAS TOM TOMMY:TOMAS
STEPHEN STEVEN STEVE:ESTEBAN
PHILIP PHIL:FELIPE
MATTHEW MATT:MATEO
RAYMOND RAY:RAYMUNDO RAMON
ELIZABETH BETH LIZ:ISABEL
MARY:MARIA
JANE JOAN:JUANA
CATHERINE KATHERINE KATHY:CATALINA
MARGARET MAGGIE:MARGARITA
SUSAN SUE:SUSANA
THERESA TERRY:TERESA
GABRIELLE:GABRIELA
"""
    )
)
"""English form -> the Spanish given names it renders, as people named in Spanish are often
recorded in U.S. files (Francisco as FRANK, Jesus as JESSE, Carlos as CHARLIE)."""

ENGLISH_DIMINUTIVES: Final = MappingProxyType(
    _name_table(
        """
BARB BARBIE:BARBARA
JAMIE:JAMES
SUSIE SUZIE:SUSAN
"""
    )
)
"""Common English diminutives the ``nicknames`` table lacks (BARB) or whose edge the
length rule drops because the diminutive has nicknames of its own (JAMIE, SUSIE)."""

# First names of Spanish compound given names that their bearers often drop: MARIA DEL
# CARMEN goes by CARMEN, JOSE LUIS by LUIS (SAVE Appendix B: a compound is one given name).
COMPOUND_GIVEN_LEADS: Final = frozenset({"MARIA", "MA", "JOSE", "JUAN"})
