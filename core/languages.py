"""Languages: ISO 639-1 codes and a small offline detector of the language of a news text.

The detector has two stages, the second engaging only when the first finds no distinctive script:

1. **Script**: the share of letters in a non-Latin script names the language (Han -> zh, kana ->
   ja, Hangul -> ko, Arabic script -> ar / fa / ur by their own letters, Cyrillic -> ru / uk / sr /
   bg by theirs, Devanagari -> hi, Thai, Greek, Hebrew ...).
2. **Function words**: for Latin-script text, the language whose short list of frequent function
   words covers the most tokens, if it covers at least ``MIN_HITS`` of them and ``MARGIN`` times
   the runner-up's; otherwise no answer ('').

It is meant for outlets and articles whose language nothing else states; docs/outlets.md gives its
measured accuracy. No model, no download.

>>> detect_language("The minister said on Tuesday that the talks with China would resume in May.")
'en'
>>> detect_language("Le ministre a déclaré mardi que les négociations avec la Chine reprendraient en mai.")
'fr'
>>> detect_language("中国商务部周四表示，将对稀土出口实施管制。"), detect_language("12 34")
('zh', '')
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# ISO 639-1 (the two-letter codes), including the deprecated 'sh' that older data still uses.
LANGUAGES = frozenset(
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz "
    "ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii "
    "ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi "
    "mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw "
    "sa sc sd se sg sh si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug "
    "uk ur uz ve vi vo wa wo xh yi yo za zh zu".split()
)

# Letters a text needs before any answer: stage 1 reads characters (a Chinese headline has a dozen),
# stage 2 reads words (chosen by hand; docs/outlets.md measures both on titles and on bodies).
MIN_SCRIPT_LETTERS = 8
MIN_LETTERS = 20
# Stage 1: the share of letters in one script that makes it the text's script (loan words and
# Latin-script names in a Chinese article stay far below it).
SCRIPT_SHARE = 0.3
# Stage 2: tokens that must be function words of the winner, and how far it must lead the runner-up.
MIN_HITS = 3
MARGIN = 1.5
# Only the start of a long text is read: a few thousand characters decide, and it keeps the cost flat.
READ_CHARS = 4000

# Frequent function words of each language. A word listed for two languages counts for neither (it is
# not distinctive); words frequent in another listed language were left out ("is", "on", "il", "des", the
# Polish "to" that is English too); one-letter words never count (a, i, o, v, w, z: in too many languages).
_FUNCTION_WORDS: dict[str, str] = {
    "en": "the and of that with are from by this have has which would their been were said will not but "
          "they his who",
    "de": "der die das und ist nicht ein eine mit von dem sich auf auch für wird bei nach wurde sind zum "
          "zur oder aus",
    "fr": "le les est une dans pour pas qui sur sont avec par mais ont été cette aux du leur ces elle nous "
          "au qu selon était avait sera seront",
    "es": "el los las del una por con para que está están pero sus fue han muy también",
    "it": "della che di gli sono nel alla dei delle per una anche non più questo stato tra sul dal essere",
    "pt": "os dos uma não para com mais foi pelo pela são também está ao nos às seu sua já muito em disse "
          "serão ainda pelos após até num numa essa esse isso",
    "nl": "het een van dat niet zijn op voor met ook maar bij werd wordt uit deze naar door heeft",
    "sv": "och att det som är för med inte till av på har den ett om var från kan också men",
    "da": "og af til er at på som ikke har med det en de for var fra også kan vil efter blev sagde nogle "
          "meget hvad",
    "no": "og av til er at på som ikke har med det en de for var fra også kan skal etter ble noen mye hva",
    "fi": "ja on että ei se oli ovat myös kun tai mutta hän joka sen ole mukaan vuonna",
    "pl": "na się nie do że jest jak ale po przez od za był które także już tylko",
    "cs": "a v na se je že do s z o jako ale by od pro jsou které byl který",
    "ro": "și în cu pe care este din că nu mai fost o pentru sunt sau",
    "hu": "a az és hogy nem egy meg csak már volt mint ez azt",
    "tr": "ve bir bu için ile olarak daha çok gibi olan kadar ama sonra ise değil",
    "id": "yang dan dari ini itu dengan untuk tidak dalam akan pada juga ke adalah oleh karena",
    "vi": "của và là các có được trong cho những với không này người một đã",
}
_LISTED: Counter[str] = Counter(word for words in _FUNCTION_WORDS.values() for word in set(words.split()))
_WORDS: dict[str, str] = {word: code for code, words in _FUNCTION_WORDS.items() for word in words.split()
                          if _LISTED[word] == 1 and len(word) > 1}

_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def is_language(code: str) -> bool:
    """Return True for an ISO 639-1 code (lower case).

    >>> is_language("en"), is_language("eng"), is_language("EN")
    (True, False, False)
    """
    return code in LANGUAGES


def _script_language(letters: list[str]) -> str:
    scripts: Counter[str] = Counter()
    for char in letters:
        name = unicodedata.name(char, "")
        scripts[name.split(" ", 1)[0]] += 1
    total = len(letters)
    text = "".join(letters)
    for script, count in scripts.most_common(3):
        if count / total < SCRIPT_SHARE or script == "LATIN":
            continue
        if script in ("HIRAGANA", "KATAKANA"):
            return "ja"
        if script == "CJK":
            kana = scripts["HIRAGANA"] + scripts["KATAKANA"]
            return "ja" if kana / total > 0.05 else "zh"
        if script == "HANGUL":
            return "ko"
        if script == "ARABIC":
            if any(c in text for c in "ےٹڈڑں"):
                return "ur"
            return "fa" if any(c in text for c in "پچژگی") else "ar"
        if script == "CYRILLIC":
            if any(c in text for c in "іїєґІЇЄҐ"):
                return "uk"
            if any(c in text for c in "јљњћђџЈЉЊЋЂЏ"):
                return "sr"
            if any(c in text for c in "ќѓѕЌЃЅ"):
                return "mk"
            return "bg" if "ъ" in text and "ы" not in text and "э" not in text else "ru"
        return _SCRIPTS.get(script, "")
    return ""


_SCRIPTS = {"GREEK": "el", "HEBREW": "he", "DEVANAGARI": "hi", "BENGALI": "bn", "TAMIL": "ta", "TELUGU": "te",
            "KANNADA": "kn", "MALAYALAM": "ml", "GUJARATI": "gu", "GURMUKHI": "pa", "THAI": "th", "GEORGIAN": "ka",
            "ARMENIAN": "hy", "KHMER": "km", "LAO": "lo", "MYANMAR": "my", "SINHALA": "si", "ETHIOPIC": "am"}


def detect_language(text: str | None) -> str:
    """Return the ISO 639-1 code of the text's language, or '' when the text does not say clearly."""
    if not text:
        return ""
    head = text[:READ_CHARS]
    letters = [c for c in head if c.isalpha()]
    if len(letters) < MIN_SCRIPT_LETTERS:
        return ""
    by_script = _script_language(letters)
    if by_script or len(letters) < MIN_LETTERS:
        return by_script
    hits: Counter[str] = Counter()
    for token in _TOKEN.findall(head.lower()):
        code = _WORDS.get(token)
        if code:
            hits[code] += 1
    if not hits:
        return ""
    ranked = hits.most_common(2)
    best, count = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return best if count >= MIN_HITS and count >= MARGIN * runner_up else ""
