"""The outlets table (shipped file and user overrides), countries, languages and inference."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.errors import InputError
from core.languages import LANGUAGES, detect_language
from core.outlet_profiles import name_matches_domain, profile_outlet
from core.outlets import (
    DEFAULT_OUTLETS,
    TYPES,
    default_outlets,
    fold_name,
    load_outlets,
    merge_outlets,
    save_override,
)
from core.places import COUNTRIES, GENERIC_CCTLDS, REGIONS, country_from_domain, region_of

# --- the shipped table ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped() -> dict[str, dict]:
    return load_outlets(DEFAULT_OUTLETS)


def test_shipped_table_is_large_and_its_values_are_in_their_vocabularies(shipped: dict[str, dict]) -> None:
    assert len(shipped) >= 300
    for name, facts in shipped.items():
        assert facts["type"] in TYPES, name
        assert not facts["country"] or facts["country"] in COUNTRIES, name
        assert not facts["language"] or facts["language"] in LANGUAGES, name
        assert facts["domains"] == [d.lower() for d in facts["domains"]] and all("/" not in d for d in facts["domains"])
    types = Counter(f["type"] for f in shipped.values())
    assert all(types[t] > 0 for t in TYPES)  # every type is used
    regions = {region_of(f["country"]) for f in shipped.values()} - {""}
    assert regions >= {"africa", "asia", "europe", "middle_east", "north_america", "latin_america", "oceania"}


def test_one_domain_one_outlet_and_no_spelling_names_two(shipped: dict[str, dict]) -> None:
    domains = Counter(d for f in shipped.values() for d in f["domains"])
    assert [d for d, n in domains.items() if n > 1] == []
    owners: dict[str, set[str]] = {}
    for name, f in shipped.items():
        for spelling in {fold_name(s) for s in (name, f["display_name"], *f["aliases"], *f["domains"])}:
            owners.setdefault(spelling, set()).add(name)
    assert {s: o for s, o in owners.items() if len(o) > 1} == {}
    display = Counter(fold_name(f["display_name"]) for f in shipped.values())
    assert [d for d, n in display.items() if n > 1] == []
    assert [t for t in ("nan", "none", "null", "n/a", "na", "unknown", "(unknown)") if t in owners] == []


def test_shipped_table_knows_the_outlets_of_real_coverage(shipped: dict[str, dict]) -> None:
    state, paper, money = "state_affiliated", "national_newspaper", "business_financial"
    expected = {  # spelling -> (country, type)
        "Reuters": ("GB", "wire"), "AP": ("US", "wire"), "AFP": ("FR", "wire"), "Bloomberg": ("US", money),
        "Xinhua": ("CN", state), "CGTN": ("CN", state), "Global Times": ("CN", state), "China Daily": ("CN", state),
        "SCMP": ("HK", paper), "Caixin Global": ("CN", money),
        "RT": ("RU", state), "TASS": ("RU", state), "Sputnik": ("RU", state),
        "Yahoo Finance": ("US", money), "MSN": ("US", "aggregator"), "NewsBreak": ("US", "aggregator"),
        "Dawn": ("PK", paper), "Premium Times": ("NG", "digital_native"), "Arab News": ("SA", paper),
        "Fox Online News": ("US", "broadcaster"), "CNN (Web News)": ("US", "broadcaster"),
    }
    for spelling, (country, kind) in expected.items():
        key = next((k for k, f in shipped.items()
                    if fold_name(spelling) in {fold_name(s) for s in (k, f["display_name"], *f["aliases"])}), None)
        assert key is not None, spelling
        assert (shipped[key]["country"], shipped[key]["type"]) == (country, kind), spelling
    assert shipped["Fox News"]["bias3"] == "right" and shipped["Reuters"]["bias"] == "center"  # kept ratings


@pytest.mark.parametrize(("text", "message"), [
    ('[[outlet]]\nname = "A"\ncountry = "UK"\n', "did you mean 'GB'"),
    ('[[outlet]]\nname = "A"\ncountry = "XX"\n', "ISO 3166-1"),
    ('[[outlet]]\nname = "A"\nlanguage = "eng"\n', "ISO 639-1"),
    ('[[outlet]]\nname = "A"\ntype = "newspaper"\n', "not one of wire"),
    ('[[outlet]]\nname = "A"\naliases = ["X"]\n[[outlet]]\nname = "B"\naliases = ["x"]\n', "already names A"),
    ('[[outlet]]\nname = "A"\n[[outlet]]\nname = "A"\n', "listed twice"),
    ('[[outlet]]\nname = "A"\ndomains = "a.com"\n', "list of non-empty strings"),
    ('[[outlet]]\nname = "A"\ndomains = ["a.com"]\n[[outlet]]\nname = "B"\ndomains = ["a.com"]\n', "already"),
    ("[[outlet]]\nname = \n", "cannot read"),
])
def test_bad_outlets_files_name_the_entry_and_the_fault(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "outlets.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        load_outlets(path)


# --- user overrides ---------------------------------------------------------------------------------

BASE = ('[[outlet]]\nname = "Reuters"\ndomains = ["reuters.com"]\naliases = ["Thomson Reuters"]\ncountry = "GB"\n'
        'type = "wire"\nbias = "center"\n\n[[outlet]]\nname = "Tiny"\ndomains = ["tiny.com"]\n')


def test_local_file_overrides_fields_and_adds_outlets(tmp_path: Path) -> None:
    base, local = tmp_path / "outlets.toml", tmp_path / "outlets.local.toml"
    base.write_text(BASE)
    local.write_text('[[outlet]]\nname = "thomson reuters"\nownership = "Thomson Reuters"\nbias = "lean left"\n\n'
                     '[[outlet]]\nname = "Tiny"\ncountry = "KE"\n\n'
                     '[[outlet]]\nname = "New Daily"\ndomains = ["new.co.ke"]\n')
    merged = load_outlets(base, local)
    assert merged["Reuters"]["ownership"] == "Thomson Reuters" and merged["Reuters"]["type"] == "wire"
    assert (merged["Reuters"]["bias"], merged["Reuters"]["bias3"]) == ("lean left", "left")
    assert merged["Tiny"]["country"] == "KE" and merged["Tiny"]["domains"] == ["tiny.com"]
    assert merged["New Daily"]["domains"] == ["new.co.ke"]
    assert load_outlets(base, tmp_path / "missing.toml") == load_outlets(base)
    with pytest.raises(InputError, match="already belongs to Reuters"):
        merge_outlets(merged, [{"name": "Other", "domains": ["reuters.com"]}])


def test_save_override_writes_a_valid_user_file_or_nothing(tmp_path: Path) -> None:
    base = load_outlets(_write(tmp_path / "o.toml", BASE))
    local = tmp_path / "local.toml"
    save_override(local, "Tiny", {"country": "KE", "type": "digital_native"}, base=base)
    save_override(local, "tiny", {"language": "sw"}, base=base)  # the same entry, found by its folded name
    assert load_outlets(tmp_path / "o.toml", local)["Tiny"] | {} == {
        **base["Tiny"], "country": "KE", "type": "digital_native", "language": "sw"}
    before = local.read_text()
    with pytest.raises(InputError, match="ISO 3166-1"):
        save_override(local, "Tiny", {"country": "Kenya"}, base=base)
    with pytest.raises(InputError, match="cannot set"):
        save_override(local, "Tiny", {"slant": "x"}, base=base)
    assert local.read_text() == before


def test_default_outlets_reads_the_local_file_named_by_the_environment(tmp_path: Path, monkeypatch) -> None:
    local = _write(tmp_path / "mine.toml", '[[outlet]]\nname = "Reuters"\nownership = "Somebody Else"\n')
    monkeypatch.setenv("PRESSLENS_OUTLETS_LOCAL", str(local))
    assert default_outlets()["Reuters"]["ownership"] == "Somebody Else"
    local.write_text('[[outlet]]\nname = "Reuters"\nownership = "Third Owner"\n')  # edited: read again
    assert default_outlets()["Reuters"]["ownership"] == "Third Owner"
    monkeypatch.delenv("PRESSLENS_OUTLETS_LOCAL")
    assert default_outlets()["Reuters"]["ownership"] == "Thomson Reuters" or not (DEFAULT_OUTLETS.parent /
                                                                                  "outlets.local.toml").exists()


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --- countries and regions --------------------------------------------------------------------------

def test_countries_regions_and_domain_suffixes() -> None:
    assert len(COUNTRIES) == 249 and sum(len(c.split()) for c in REGIONS.values()) == 249
    assert [country_from_domain(d) for d in ("bbc.co.uk", "dawn.com.pk", "nation.co.ke", "spiegel.de", "x.com.au",
                                             "abc.net.au", "news.cn", "thesun.my")] == \
        ["GB", "PK", "KE", "DE", "AU", "AU", "CN", "MY"]
    assert [country_from_domain(d) for d in ("geo.tv", "x.io", "thecradle.co", "post-truth.eu", "ogreszinas.news",
                                             "reuters.com", "localhost", "")] == [""] * 8
    assert "tv" in GENERIC_CCTLDS and "uk" not in GENERIC_CCTLDS
    assert [region_of(c) for c in ("US", "MX", "BR", "EG", "IR", "IL", "RU", "AU", "XX")] == \
        ["north_america", "latin_america", "latin_america", "africa", "middle_east", "middle_east", "europe",
         "oceania", ""]


# --- languages --------------------------------------------------------------------------------------

SAMPLES = {
    "en": "The ministry said on Thursday that export licences would be required for seven rare earth elements.",
    "de": "Das Ministerium teilte am Donnerstag mit, dass für sieben Seltene Erden künftig Ausfuhrlizenzen nötig sind.",
    "fr": "Le ministère a indiqué jeudi que des licences d'exportation seront nécessaires pour sept terres rares.",
    "es": "El ministerio dijo el jueves que se necesitarán licencias de exportación para siete tierras raras.",
    "it": "Il ministero ha detto giovedì che saranno necessarie licenze di esportazione per sette terre rare.",
    "pt": "O ministério disse na quinta-feira que serão necessárias licenças de exportação para sete terras raras, "
          "uma medida que ainda não foi explicada.",
    "nl": "Het ministerie zei donderdag dat er voor zeven zeldzame aardmetalen exportvergunningen nodig zijn.",
    "tr": "Bakanlık perşembe günü yaptığı açıklamada yedi nadir toprak elementi için ihracat lisansı gerekeceğini ve "
          "bu kararın daha çok ABD ile olan ticaret gerilimi gibi nedenlerle alındığını söyledi.",
    "id": "Kementerian mengatakan pada hari Kamis bahwa izin ekspor akan diperlukan untuk tujuh logam tanah jarang "
          "yang dianggap penting oleh karena itu.",
    "ru": "Министерство заявило в четверг, что для экспорта семи редкоземельных элементов потребуются лицензии.",
    "uk": "Міністерство заявило в четвер, що для експорту семи рідкісноземельних елементів будуть потрібні ліцензії.",
    "zh": "商务部周四表示，七种稀土元素的出口将需要许可证。",
    "ja": "商務省は木曜日、7種類のレアアースの輸出に許可が必要になると発表した。",
    "ko": "상무부는 목요일 7종의 희토류 수출에 허가가 필요하다고 밝혔다.",
    "ar": "قالت الوزارة يوم الخميس إن تراخيص التصدير ستكون مطلوبة لسبعة عناصر من العناصر الأرضية النادرة.",
    "fa": "وزارت بازرگانی روز پنجشنبه گفت که برای صادرات هفت عنصر خاکی کمیاب مجوز لازم خواهد بود "
          "و چین آن را اجرا می‌کند.",
    "hi": "मंत्रालय ने गुरुवार को कहा कि सात दुर्लभ पृथ्वी तत्वों के निर्यात के लिए लाइसेंस की आवश्यकता होगी।",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_language_detection_on_one_sentence(code: str) -> None:
    assert detect_language(SAMPLES[code]) == code


def test_language_detection_says_nothing_when_the_text_does_not_say() -> None:
    assert detect_language("") == "" and detect_language(None) == ""
    assert detect_language("Trump Xi 2025") == ""  # names and numbers only
    assert detect_language("Rare earths: MP Materials, Lynas, Iluka, Neo Performance") == ""


# --- inference for outlets the table does not list ---------------------------------------------------

TABLE = {
    "Reuters": {"name": "Reuters", "display_name": "Reuters", "domains": ["reuters.com"], "aliases": [],
                "country": "GB", "language": "en", "type": "wire", "ownership": "Thomson Reuters", "bias": "center",
                "bias3": "center"},
    "National Review": {"name": "National Review", "display_name": "National Review", "domains": ["nationalreview.com"],
                        "aliases": [], "country": "US", "language": "en", "type": "magazine", "ownership": "",
                        "bias": "right", "bias3": "right"},
    "Yahoo News": {"name": "Yahoo News", "display_name": "Yahoo News", "domains": ["news.yahoo.com"], "aliases": [],
                   "country": "US", "language": "en", "type": "aggregator", "ownership": "", "bias": "", "bias3": ""},
}


def test_listed_outlets_keep_their_facts_wherever_they_were_read() -> None:
    profile = profile_outlet("Reuters", TABLE, hosts=["uk.finance.yahoo.co.uk"], languages=["fr"])
    assert (profile["country"], profile["type"], profile["language"], profile["inferred"]) == ("GB", "wire", "en", ())


@pytest.mark.parametrize(("name", "hosts", "country", "inferred"), [
    ("Daily Times (Pakistan)", ["dailytimes.com.pk"], "PK", ("country", "region")),
    ("NTV Uganda", ["ntv.co.ug"], "UG", ("country", "region")),
    ("zawya.co.ae", [], "AE", ("country", "region")),  # the name is the domain
    ("Guest Writer - Right", ["nationalreview.com"], "US", ("country", "region")),  # read on a listed outlet
    ("Some Columnist", ["news.yahoo.com"], "", ()),  # an aggregator host says nothing
    ("Japan Today", ["daily8.com"], "", ()),  # a .com host says nothing
    ("Geo Blog", ["geo.tv"], "", ()),  # a generic-use ccTLD says nothing
    ("Unknown Daily", ["other-site.co.uk", "other-site.de"], "", ()),  # hosts disagree: no majority
])
def test_country_inference(name: str, hosts: list[str], country: str, inferred: tuple[str, ...]) -> None:
    profile = profile_outlet(name, TABLE, hosts=hosts)
    assert (profile["country"], profile["inferred"]) == (country, inferred)


def test_type_and_language_inference_and_stored_values() -> None:
    blog = profile_outlet("Rare Earth Notes", TABLE, hosts=["rarenotes.substack.com"], languages=["en", "en", ""])
    assert (blog["type"], blog["language"], blog["inferred"]) == ("blog_newsletter", "en", ("language", "type"))
    split = profile_outlet("Two Tongues", TABLE, languages=["en", "de", "fr"])
    assert split["language"] == "" and split["inferred"] == ()
    stored = profile_outlet("Tiny", TABLE, stored={"bias": "Lean Left", "country": "UK", "ownership": "Tiny Ltd"})
    assert (stored["bias"], stored["bias3"], stored["country"], stored["region"], stored["inferred"]) == \
        ("lean left", "left", "GB", "europe", ())
    assert name_matches_domain("Ada Derana", "adaderana.lk") and not name_matches_domain("AP", "apple.com")
