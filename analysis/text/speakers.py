"""Who a speaker is: type (government, company, expert, media, anonymous, other) and country.

Rules over the words around a speaker's name (the title before it, the appositive after
it): minister, spokesperson, official, president -> government, with the country when
one is named or implied ("Kremlin" -> Russia, "Sen." -> United States); Inc., company,
CEO -> company; professor, analyst, economist -> expert; newspaper, agency and network
names -> media; "a source", "people familiar with" -> anonymous.

>>> speaker_type("Kremlin spokesman Dmitry Peskov", "Dmitry Peskov"), country_of("Kremlin spokesman")
('government', 'Russia')
"""

from __future__ import annotations

import re

# A name word; "?" and "\ufffd" inside a word stand for accents lost to encoding damage ("B?lot").
NAME_TOKEN = re.compile(r"^(?:[A-Z][\w’'\-]*(?:[?\ufffd][\w’'\-]+)*\.?"
                        r"|(?:de|da|del|di|du|van|von|der|den|la|le|bin|ibn|al)|[A-Z]\.)$")

ANONYMOUS_CUES = re.compile(
    r"\b(?:sources?|people familiar|person familiar|(?:people|person|officials?) briefed|"
    r"asked not to be (?:named|identified)|condition of anonymity|"
    r"declined to be (?:named|identified)|not authori[sz]ed to|insiders?|unnamed|anonymous)(?!\w)", re.I)
MEDIA_NAMES = re.compile(
    r"\b(?:cnn|reuters|associated press|ap|afp|agence france-presse|bloomberg|new york times|times|"
    r"washington post|wall street journal|financial times|guardian|bbc|fox news|nbc|abc|cbs|msnbc|npr|politico|"
    r"axios|xinhua|global times|tass|ria novosti|interfax|kyodo|nikkei|yonhap|al jazeera|dpa|efe|ansa|"
    r"the hill|huffpost|huffington post|daily mail|telegraph|le monde|der spiegel|marca|el pa[ií]s|as|sky news|"
    r"state media|state television|state tv|news agency|newspaper|network|broadcaster|magazine|outlet|"
    r"tabloid|daily|journal|gazette|post|tribune|herald|channel|radio|television|tv|website)(?!\w)", re.I)
EXPERT_CUES = re.compile(
    r"\b(?:professor|prof\.|analysts?|economists?|researchers?|scholars?|scientists?|fellow|think tank|"
    r"university|institute|expert|experts|lecturer|strategist|consultant|historian|director of research|"
    r"academic)(?!\w)", re.I)
COMPANY_CUES = re.compile(
    r"\b(?:inc\.?|corp\.?|corporation|ltd\.?|llc|plc|co\.|company|companies|firm|firms|ceo|chief executive|"
    r"executives?|chief financial officer|cfo|group|holdings|automaker|carmaker|manufacturer|producer|miner|"
    r"bank|investors?|trader|industry)(?!\w)", re.I)
GOVERNMENT_CUES = re.compile(
    r"\b(?:minister|ministry|spokes(?:man|woman|person)|officials?|president|secretary|senator|sen\.|rep\.|"
    r"gov\.|governor|mayor|ambassador|white house|kremlin|pentagon|state department|department|"
    r"administration|government|prime minister|lawmakers?|legislators?|congress(?:man|woman)?|senate|"
    r"chancellor|premier|foreign office|embassy|police|military|army|commander|prosecutors?|attorney general|"
    r"parliament|mp|cabinet|(?-i:[RD]-[A-Z][\w.]*)|regulators?|authorities|agency|commission|council|diplomats?|envoy|"
    r"democrats?|republicans?|gop|speaker of the house|house speaker|spokespersons?|representative)(?!\w)", re.I)

# Country names and demonyms -> country; institutions that name their country.
_COUNTRIES = {
    "united states": "United States", "u.s.": "United States", "us": "United States", "american": "United States",
    "america": "United States", "white house": "United States", "pentagon": "United States",
    "state department": "United States", "congress": "United States", "senate": "United States",
    "sen.": "United States", "rep.": "United States", "r-": "United States", "d-": "United States",
    "biden administration": "United States",
    "trump administration": "United States", "obama administration": "United States",
    "washington": "United States", "china": "China", "chinese": "China", "beijing": "China",
    "russia": "Russia", "russian": "Russia", "kremlin": "Russia", "moscow": "Russia",
    "ukraine": "Ukraine", "ukrainian": "Ukraine", "kyiv": "Ukraine", "kiev": "Ukraine",
    "germany": "Germany", "german": "Germany", "berlin": "Germany", "france": "France", "french": "France",
    "elysee": "France", "paris": "France", "united kingdom": "United Kingdom", "britain": "United Kingdom",
    "british": "United Kingdom", "u.k.": "United Kingdom", "uk": "United Kingdom",
    "downing street": "United Kingdom", "london": "United Kingdom", "japan": "Japan", "japanese": "Japan",
    "tokyo": "Japan", "india": "India", "indian": "India", "spain": "Spain", "spanish": "Spain",
    "madrid": "Spain", "italy": "Italy", "italian": "Italy", "canada": "Canada", "canadian": "Canada",
    "mexico": "Mexico", "mexican": "Mexico", "brazil": "Brazil", "brazilian": "Brazil",
    "australia": "Australia", "australian": "Australia", "south korea": "South Korea",
    "south korean": "South Korea", "seoul": "South Korea", "north korea": "North Korea",
    "north korean": "North Korea", "pyongyang": "North Korea", "iran": "Iran", "iranian": "Iran",
    "tehran": "Iran", "israel": "Israel", "israeli": "Israel", "turkey": "Turkey", "turkish": "Turkey",
    "saudi": "Saudi Arabia", "saudi arabia": "Saudi Arabia", "taiwan": "Taiwan", "taiwanese": "Taiwan",
    "poland": "Poland", "polish": "Poland", "netherlands": "Netherlands", "dutch": "Netherlands",
    "european union": "European Union", "eu": "European Union", "european commission": "European Union",
    "brussels": "European Union", "nato": "NATO", "portugal": "Portugal", "portuguese": "Portugal",
    "morocco": "Morocco", "moroccan": "Morocco", "vietnam": "Vietnam", "vietnamese": "Vietnam",
    "indonesia": "Indonesia", "indonesian": "Indonesia", "south africa": "South Africa", "egypt": "Egypt",
    "egyptian": "Egypt", "pakistan": "Pakistan", "pakistani": "Pakistan", "belarus": "Belarus",
    "hungary": "Hungary", "hungarian": "Hungary", "norway": "Norway", "norwegian": "Norway",
    "sweden": "Sweden", "swedish": "Sweden", "finland": "Finland", "finnish": "Finland",
    "denmark": "Denmark", "danish": "Denmark", "greenland": "Denmark", "malaysia": "Malaysia",
    "philippines": "Philippines", "philippine": "Philippines", "thailand": "Thailand", "thai": "Thailand",
    "myanmar": "Myanmar", "chile": "Chile", "chilean": "Chile", "argentina": "Argentina",
    "venezuela": "Venezuela", "cuba": "Cuba", "syria": "Syria", "syrian": "Syria", "iraq": "Iraq",
    "iraqi": "Iraq", "afghanistan": "Afghanistan", "afghan": "Afghanistan", "qatar": "Qatar",
    "kazakhstan": "Kazakhstan", "mongolia": "Mongolia", "greece": "Greece", "greek": "Greece",
}
_COUNTRY_RE = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(k) for k in sorted(_COUNTRIES, key=len, reverse=True)
                                                     if not k.endswith("-")) + r")(?![\w])|\b[RD]-(?=[A-Z])", re.I)


def speaker_type(role: str, speaker: str | None, sentence: str = "") -> str:
    """Return the speaker's type from the words around the name.

    >>> speaker_type("a spokesperson for Tesla Inc.", "a spokesperson for Tesla Inc.")
    'company'
    >>> speaker_type("Chinese Foreign Ministry spokesperson Mao Ning", "Mao Ning")
    'government'
    >>> speaker_type("people familiar with the matter", "people familiar with the matter")
    'anonymous'
    """
    text = f"{role} {speaker or ''}"
    name = (speaker or "").strip()
    if ANONYMOUS_CUES.search(text) or (sentence and ANONYMOUS_CUES.search(sentence) and not is_name(name)):
        return "anonymous"
    if name and MEDIA_NAMES.fullmatch(re.sub(r"^(?:the|a|an)\s+", "", name, flags=re.I)):
        return "media"
    if re.search(r"\b(?:newspaper|news agency|broadcaster|network|magazine|state media|state television|"
                 r"outlet|tabloid|channel)\b", text, re.I) or _media_name(name):
        return "media"
    if EXPERT_CUES.search(text):
        return "expert"
    if COMPANY_CUES.search(text):
        return "company"
    if GOVERNMENT_CUES.search(text):
        return "government"
    return "other"


def _media_name(name: str) -> bool:
    stripped = re.sub(r"^(?:the)\s+", "", name, flags=re.I)
    return bool(stripped) and bool(re.fullmatch(
        r"(?:CNN|Reuters|AP|AFP|Bloomberg|Xinhua|TASS|Politico|Axios|NPR|BBC|MSNBC|NBC|CBS|ABC|Fox News|"
        r"(?:The )?(?:New York Times|Washington Post|Wall Street Journal|Financial Times|Guardian|Hill)|"
        r"Associated Press|Global Times|Al Jazeera|Kyodo|Yonhap|Interfax|RIA Novosti|Nikkei|Marca)(?:\s+\w+)?",
        stripped)) or bool(re.search(
        r"\b(?:Post|Times|Journal|Tribune|Herald|News|Gazette|Telegraph|Guardian|Inquirer|Chronicle|Press|"
        r"Daily|Magazine|TV|Radio|Network|Broadcasting|Agency|Examiner|Observer|Independent|Mirror|Sun)$",
        stripped))


def is_name(name: str) -> bool:
    return bool(name) and all(NAME_TOKEN.match(t) for t in name.split())


def country_of(text: str) -> str | None:
    """Return the first country named (or implied by an institution) in ``text``, or None.

    >>> country_of("a Kremlin spokesman"), country_of("Sen. Ted Cruz"), country_of("a professor")
    ('Russia', 'United States', None)
    """
    match = _COUNTRY_RE.search(text)
    if not match:
        return None
    key = match.group(0).lower()
    if key in ("r-", "d-") and match.group(0).isupper() is False:
        return None
    if key in ("us", "uk", "eu") and match.group(0) not in ("US", "UK", "EU"):  # the pronoun "us"
        return None
    return _COUNTRIES[key]
