"""Cities, streets and the many ways one address line gets written.

Variant tuples list the USPS Publication 28 form first (what a careful system normalises
to) and then the forms people and payroll systems actually type. Puerto Rico follows Pub 28
Appendix I: the urbanization (URB) is part of the address, CALLE precedes the street name
and is never an "ST", house numbers are often block-house ("A17", "23-18").
"""

from __future__ import annotations

# fmt: off
# (city, state, first ZIP, last ZIP, area code, weight among Hispanic households, among others)
CITIES: tuple[tuple[str, str, int, int, int, int, int], ...] = (
    ("Los Angeles", "CA", 90001, 90068, 213, 90, 40), ("Houston", "TX", 77002, 77099, 713, 60, 35),
    ("Chicago", "IL", 60601, 60660, 312, 45, 40), ("Phoenix", "AZ", 85003, 85054, 602, 35, 20),
    ("San Antonio", "TX", 78201, 78260, 210, 40, 15), ("Dallas", "TX", 75201, 75254, 214, 35, 20),
    ("El Paso", "TX", 79901, 79938, 915, 25, 4), ("Miami", "FL", 33125, 33196, 305, 30, 12),
    ("Hialeah", "FL", 33010, 33018, 305, 12, 2), ("San Diego", "CA", 92101, 92139, 619, 22, 18),
    ("New York", "NY", 10001, 10040, 212, 20, 40), ("Bronx", "NY", 10451, 10475, 718, 25, 12),
    ("Brooklyn", "NY", 11201, 11239, 718, 15, 30),
    ("Jackson Heights", "NY", 11368, 11372, 718, 10, 6),
    ("Denver", "CO", 80202, 80239, 303, 15, 15), ("Las Vegas", "NV", 89101, 89149, 702, 18, 14),
    ("Albuquerque", "NM", 87102, 87123, 505, 14, 6), ("Tucson", "AZ", 85701, 85750, 520, 12, 7),
    ("Fresno", "CA", 93701, 93728, 559, 12, 5), ("Santa Ana", "CA", 92701, 92707, 714, 14, 3),
    ("Riverside", "CA", 92501, 92509, 951, 10, 6), ("Bakersfield", "CA", 93301, 93314, 661, 9, 4),
    ("San Jose", "CA", 95110, 95139, 408, 12, 14), ("Oakland", "CA", 94601, 94621, 510, 8, 9),
    ("Sacramento", "CA", 95811, 95838, 916, 7, 10), ("Salinas", "CA", 93901, 93908, 831, 6, 1),
    ("Austin", "TX", 78701, 78759, 512, 10, 14), ("Fort Worth", "TX", 76102, 76137, 817, 10, 10),
    ("Laredo", "TX", 78040, 78046, 956, 8, 1), ("McAllen", "TX", 78501, 78504, 956, 7, 1),
    ("Brownsville", "TX", 78520, 78526, 956, 6, 1), ("Atlanta", "GA", 30303, 30350, 404, 8, 25),
    ("Dalton", "GA", 30720, 30721, 706, 3, 1), ("Charlotte", "NC", 28202, 28277, 704, 7, 18),
    ("Raleigh", "NC", 27601, 27617, 919, 4, 12), ("Nashville", "TN", 37201, 37221, 615, 4, 14),
    ("Orlando", "FL", 32801, 32839, 407, 9, 12), ("Tampa", "FL", 33602, 33647, 813, 6, 12),
    ("Newark", "NJ", 7102, 7114, 973, 7, 6), ("Elizabeth", "NJ", 7201, 7208, 908, 5, 2),
    ("Paterson", "NJ", 7501, 7514, 973, 4, 2), ("Philadelphia", "PA", 19102, 19154, 215, 7, 30),
    ("Boston", "MA", 2108, 2136, 617, 5, 18), ("Providence", "RI", 2903, 2909, 401, 4, 4),
    ("Hartford", "CT", 6103, 6120, 860, 4, 3), ("Washington", "DC", 20001, 20037, 202, 4, 14),
    ("Silver Spring", "MD", 20901, 20910, 301, 4, 6), ("Arlington", "VA", 22201, 22209, 703, 3, 8),
    ("Seattle", "WA", 98101, 98199, 206, 4, 20), ("Yakima", "WA", 98901, 98908, 509, 3, 1),
    ("Portland", "OR", 97201, 97236, 503, 4, 14), ("Salt Lake City", "UT", 84101, 84121, 801, 4, 8),
    ("Omaha", "NE", 68102, 68164, 402, 3, 8), ("Kansas City", "MO", 64101, 64157, 816, 3, 10),
    ("Dodge City", "KS", 67801, 67801, 620, 2, 1), ("Springdale", "AR", 72762, 72764, 479, 2, 2),
    ("Minneapolis", "MN", 55401, 55419, 612, 3, 14), ("Detroit", "MI", 48201, 48235, 313, 3, 15),
    ("Indianapolis", "IN", 46201, 46260, 317, 3, 14), ("Columbus", "OH", 43201, 43235, 614, 2, 14),
    ("Oklahoma City", "OK", 73102, 73159, 405, 4, 10), ("Yuma", "AZ", 85364, 85367, 928, 4, 1),
    ("San Juan", "PR", 901, 936, 787, 14, 0), ("Bayamón", "PR", 956, 961, 787, 8, 0),
    ("Carolina", "PR", 979, 987, 787, 7, 0), ("Ponce", "PR", 716, 734, 787, 5, 0),
    ("Caguas", "PR", 725, 727, 787, 4, 0), ("Guaynabo", "PR", 965, 971, 787, 3, 0),
    ("Mayagüez", "PR", 680, 682, 787, 3, 0),
)

STREET_NAMES: tuple[str, ...] = (
    "Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lincoln", "Park", "Lake", "Hill",
    "Pine", "Walnut", "Jefferson", "Madison", "Franklin", "Jackson", "Sunset", "Mission",
    "Olive", "Vine", "Highland", "Center", "Church", "Spring", "Ridge", "Meadow", "Forest",
    "Valley", "River", "Willow", "Adams", "Grand", "Central", "Market", "Broad", "Union",
    "Cherry", "Chestnut", "Sycamore", "Magnolia", "Pecan", "Mesquite", "Juniper", "Hickory",
    "Dogwood", "Cypress", "Orange", "Lemon", "Palm", "Jasmine", "Alameda", "Del Mar",
    "Las Palmas", "Vista Del Sol", "El Camino", "Santa Fe", "San Pedro", "Guadalupe",
    "Cesar Chavez", "Martin Luther King Jr", "Kennedy", "Roosevelt", "Wilson", "Harrison",
    "Monroe", "Pershing", "Evergreen", "Lakeview", "Fairview", "Greenwood", "Hillcrest",
    "Riverside", "Woodland", "Belmont", "Stratford", "Cambridge", "Lexington", "Bayshore",
    "Montebello", "Buena Vista", "Cactus", "Saguaro", "Bluebonnet", "Azalea", "Peachtree",
    "Colonial", "Heritage", "Liberty", "Independence", "Industrial", "Airport", "College",
    "University", "Division", "Canal", "Ocean", "Harbor", "Atlantic", "Pacific",
    "1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th", "9th", "10th", "11th", "12th",
    "14th", "16th", "18th", "20th", "23rd", "27th", "34th", "42nd", "55th", "79th", "103rd",
)
# The spelled-out form some people write for the numbered streets above.
ORDINAL_WORDS: dict[str, str] = {
    "1st": "First", "2nd": "Second", "3rd": "Third", "4th": "Fourth", "5th": "Fifth",
    "6th": "Sixth", "7th": "Seventh", "8th": "Eighth", "9th": "Ninth", "10th": "Tenth",
    "11th": "Eleventh", "12th": "Twelfth",
}

# (canonical type, weight, variants: Pub 28 abbreviation first)
STREET_TYPES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Street", 30, ("ST", "St", "St.", "Street", "Str")),
    ("Avenue", 20, ("AVE", "Ave", "Ave.", "Av", "Avenue")),
    ("Drive", 10, ("DR", "Dr", "Dr.", "Drive", "Drv")),
    ("Road", 8, ("RD", "Rd", "Rd.", "Road")),
    ("Boulevard", 5, ("BLVD", "Blvd", "Blvd.", "Boulevard", "Boul")),
    ("Lane", 5, ("LN", "Ln", "Lane")),
    ("Court", 5, ("CT", "Ct", "Court", "Crt")),
    ("Way", 4, ("WAY", "Way")),
    ("Place", 3, ("PL", "Pl", "Place")),
    ("Circle", 3, ("CIR", "Cir", "Circle")),
    ("Terrace", 2, ("TER", "Ter", "Terr", "Terrace")),
    ("Parkway", 2, ("PKWY", "Pkwy", "Parkway", "Pky")),
    ("Highway", 2, ("HWY", "Hwy", "Highway")),
    ("Trail", 1, ("TRL", "Trl", "Trail")),
)

DIRECTIONALS: tuple[tuple[str, ...], ...] = (
    ("N", "North", "N."), ("S", "South", "S."), ("E", "East", "E."), ("W", "West", "W."),
    ("NE", "Northeast", "N.E."), ("NW", "Northwest", "N.W."),
    ("SE", "Southeast", "S.E."), ("SW", "Southwest", "S.W."),
)

# (Pub 28 unit designator, weight, written prefixes; "#" is glued to the number)
UNIT_TYPES: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("APT", 70, ("APT ", "Apt ", "Apt. ", "Apartment ", "#", "# ")),
    ("UNIT", 12, ("UNIT ", "Unit ", "#")),
    ("STE", 4, ("STE ", "Ste ", "Suite ", "Ste. ")),
    ("TRLR", 4, ("TRLR ", "Trlr ", "Trailer ")),
    ("LOT", 5, ("LOT ", "Lot ")),
    ("SPC", 5, ("SPC ", "Spc ", "Space ")),
)

PO_BOX_FORMS: tuple[str, ...] = ("PO BOX ", "PO Box ", "P.O. Box ", "POB ", "Post Office Box ")
RURAL_ROUTE_FORMS: tuple[tuple[str, str], ...] = (
    ("RR ", " BOX "), ("RR ", " Box "), ("Rural Route ", " Box "), ("RR ", ", Box "),
    ("RT ", " BOX "),
)
HIGHWAY_CONTRACT_FORMS: tuple[tuple[str, str], ...] = (
    ("HC ", " BOX "), ("HC ", " Box "), ("HC ", ", Box "), ("Highway Contract ", " Box "),
)

PR_URBANIZATIONS: tuple[str, ...] = (
    "Villa Carolina", "Santa Rosa", "Las Lomas", "Country Club", "Sierra Bayamón",
    "Los Caobos", "Jardines de Caparra", "Río Grande Estates", "Valle Arriba Heights",
    "Levittown", "Villa Fontana", "Bairoa Park", "Santa Juanita", "Royal Town",
    "Villa del Rey", "El Conquistador", "Alturas de Río Grande", "Puerto Nuevo",
    "Summit Hills", "Caparra Terrace", "Reparto Metropolitano", "Villa Andalucía",
    "Lomas Verdes", "Glenview Gardens", "Constancia", "Jardines de Ponce", "Villa Rica",
    "Flamboyán Gardens", "Monte Carlo", "Baldrich",
)

# Placeholders seen in real requests; each must be rejected (R02), never matched.
ADDRESS_PLACEHOLDERS: tuple[str, ...] = (
    "Unknown Address", "Failed to Provide", "UNKNOWN", "N/A", "NONE", "Homeless",
    "Address Unknown", "No Address", "Not Provided",
)
CIVIL_STATUTES: tuple[str, ...] = (
    "8 U.S.C. 1227(a)(1)(B)", "8 U.S.C. 1227", "8 U.S.C. 1182(a)(6)(A)(i)",
    "8 U.S.C. 1229a",
)
# fmt: on
