"""Countries: ISO 3166-1 alpha-2 codes, the region each belongs to, and the country a domain suffix names.

Regions are continent-level groups we wrote ourselves (no standard fits news analysis exactly):
``africa, asia, europe, middle_east, north_america, latin_america, oceania, antarctica``.
``middle_east`` is West Asia from Turkey and Iran to the Arabian Peninsula (Egypt stays in
Africa, Cyprus in Europe, the Caucasus in Asia); ``north_america`` is the US, Canada and
the northern islands (Mexico, Central America and the Caribbean are ``latin_america``).

>>> region_of("CN"), region_of("QA"), region_of("MX"), region_of("")
('asia', 'middle_east', 'latin_america', '')
>>> country_from_domain("dailytimes.com.pk"), country_from_domain("bbc.co.uk"), country_from_domain("geo.tv")
('PK', 'GB', '')
"""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "africa": (
        "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS LY MA MG ML MR "
        "MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW IO"
    ),
    "asia": (
        "AF AM AZ BD BN BT CC CN CX GE HK ID IN JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH PK SG TH TJ "
        "TL TM TW UZ VN"
    ),
    "middle_east": "AE BH IL IQ IR JO KW LB OM PS QA SA SY TR YE",
    "europe": (
        "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU "
        "LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA"
    ),
    "north_america": "BM CA GL PM US UM",
    "latin_america": (
        "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GT GY HN HT JM KN KY LC MF "
        "MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI"
    ),
    "oceania": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV VU WF WS",
    "antarctica": "AQ BV GS HM TF",
}
REGION_OF: dict[str, str] = {code: region for region, codes in REGIONS.items() for code in codes.split()}
# The 249 officially assigned ISO 3166-1 alpha-2 codes are exactly the keys of REGION_OF.
COUNTRIES: frozenset[str] = frozenset(REGION_OF)

# Country-code top-level domains sold for generic use (.tv, .io, .co, .me ...): a site under one says
# nothing about its country. Google's list of "generic ccTLDs" plus the ones news sites use the same way.
GENERIC_CCTLDS = frozenset(
    "ac ad ag ai am as bz cc cf co dj fm ga gg gq im io la ly me ml ms nu sc sh so sr st su tk to "
    "tv vc ws".split()
)
# Top-level domains that are not ISO codes but name one: .uk is GB's.
_TLD_COUNTRY = {"uk": "GB"}


def is_country(code: str) -> bool:
    """Return True for an officially assigned ISO 3166-1 alpha-2 code (upper case).

    >>> is_country("GB"), is_country("UK"), is_country("gb")
    (True, False, False)
    """
    return code in COUNTRIES


def region_of(country: str | None) -> str:
    """Return the region of an ISO country code, or '' when the code is empty or unknown."""
    return REGION_OF.get(country or "", "")


def country_from_domain(domain: str) -> str:
    """Return the country a domain's country-code suffix names, or '' (generic or no country code).

    Works on hosts and registered domains alike: only the last label counts
    (``news.example.com.pk`` -> ``PK``).

    >>> country_from_domain("www.ntv.co.ug"), country_from_domain("news.az"), country_from_domain("example.eu")
    ('UG', 'AZ', '')
    """
    label = domain.strip().lower().rstrip(".").rsplit(".", 1)[-1]
    if "." not in domain or label in GENERIC_CCTLDS:
        return ""
    code = _TLD_COUNTRY.get(label, label.upper())
    return code if len(label) == 2 and code in COUNTRIES else ""
