"""standardize stage: names and addresses in one standard form for master rows and requests.

The link stage reads the columns :func:`standardize_records` adds (``OUTPUT_COLUMNS``); the
pure per-value parsers are public too, for single-record scoring and tests.
"""

from crossverify.standardize.addresses import ParsedAddress, parse_address
from crossverify.standardize.frame import OUTPUT_COLUMNS, parse_dob, standardize_records
from crossverify.standardize.names import (
    ParsedName,
    name_control,
    nick_keys,
    nicknames_agree,
    normalize_suffix,
    parse_name,
)
from crossverify.standardize.places import standardize_city, standardize_state, standardize_zip

__all__ = [
    "OUTPUT_COLUMNS",
    "ParsedAddress",
    "ParsedName",
    "name_control",
    "nick_keys",
    "nicknames_agree",
    "normalize_suffix",
    "parse_address",
    "parse_dob",
    "parse_name",
    "standardize_city",
    "standardize_records",
    "standardize_state",
    "standardize_zip",
]
