"""What PressLens knows about each outlet of a selection: from the outlets table, else inferred.

For every outlet name the result gives country, region, language, type, ownership, bias and
bias3, and which of them were *inferred* rather than read from the table. Inferred values count
as known; anything neither listed nor inferred is ``''`` (the groups call it ``unknown``).

Inference, in order, for fields the table leaves empty:

1. **The outlet's own domain**: the outlet's name when it is a domain (``zawya.com``), the
   domains the table lists for it, else the article hosts whose name matches the outlet's name
   (``The Express Tribune`` on ``tribune.com.pk``), else article hosts that belong to no other
   outlet of the table. Its country-code suffix gives the country (``.com.pk`` -> PK; generic-use
   suffixes such as .tv, .io, .co say nothing: core.places). A host on a blog or newsletter
   platform (Substack, Medium, Blogger, WordPress.com ...) gives the type ``blog_newsletter``.
2. **The host it was read on**, when that host is another outlet of the table and not an
   aggregator: a columnist's piece on nationalreview.com is read as published in the US.
3. **The text**: the language most of its articles are in (stored, else detected by
   core.languages), when at least half of its articles agree.

The region follows the country (and is inferred when the country is).

>>> table = {"Reuters": {"name": "Reuters", "display_name": "Reuters", "domains": ["reuters.com"], "aliases": [],
...          "country": "GB", "language": "en", "type": "wire", "ownership": "", "bias": "", "bias3": "center"}}
>>> p = profile_outlet("Daily Times (Pakistan)", table, hosts=["dailytimes.com.pk"], languages=["en"])
>>> p["country"], p["region"], p["language"], p["type"], p["inferred"]
('PK', 'asia', 'en', '', ('country', 'region', 'language'))
>>> profile_outlet("Reuters", table, hosts=["finance.yahoo.com"])["country"]
'GB'
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from core.languages import detect_language
from core.outlets import default_outlets, fold_name, spelling_index
from core.places import country_from_domain, region_of
from core.store import ArticleFilter, Store
from core.urls import registered_domain, url_host

# Fields an outlet is grouped by (besides its name), in the order tables show them.
GROUP_FIELDS = ("country", "region", "language", "type", "ownership", "bias", "bias3")
PROFILE_COLUMNS = ("outlet", "table_name", *GROUP_FIELDS, "inferred")
# What the groups call an outlet with no value, listed or inferred: a group of its own.
UNKNOWN = "unknown"
GROUP_COLUMNS = ("outlet", *GROUP_FIELDS, "inferred", "table_name")
LISTING_COLUMNS = ("outlet", "articles", "read_elsewhere", "hosts", *GROUP_FIELDS, "inferred", "table_name")
# Hosts named per outlet in the listing (the most frequent first); the count says how many there were.
LISTED_HOSTS = 3
# Fields whose absence puts an outlet at the top of the listing (what an analyst fills in first).
KEY_FIELDS = ("country", "type", "language")
# Articles per outlet whose text is read to infer the outlet's language (when nothing states it):
# a few agree as well as all of them on a one-language outlet, and reading texts is the cost.
LANGUAGE_SAMPLE = 5
# Hosts where anyone publishes: a post there is a blog or newsletter whatever its name.
BLOG_PLATFORMS = ("substack.com", "medium.com", "blogspot.com", "wordpress.com", "beehiiv.com", "ghost.io",
                  "tumblr.com", "typepad.com", "livejournal.com", "over-blog.com")
# Share of an outlet's articles that must agree on a language before it is the outlet's language.
LANGUAGE_AGREEMENT = 0.5
# Shortest outlet-name or domain-label stem two strings must share to count as the same site
# ("ntv" in "NTV Uganda" ~ ntv.co.ug); shorter stems match by accident.
MIN_STEM = 3
_COARSE = {"lean left": "left", "lean right": "right", "centre": "center"}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _stem(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    plain = plain.removeprefix("the ").removeprefix("www.")
    return _NON_ALNUM.sub("", plain)


def _site_label(domain: str) -> str:
    """The name part of a registered domain: 'tribune' for tribune.com.pk."""
    return _stem(domain.split(".", 1)[0])


def name_matches_domain(name: str, domain: str) -> bool:
    """Return True when an outlet's name and a domain's name part look like the same site.

    >>> name_matches_domain("The Express Tribune", "tribune.com.pk"), name_matches_domain("Reuters", "yahoo.com")
    (True, False)
    >>> name_matches_domain("Doğru Haber", "dogruhaber.com.tr"), name_matches_domain("Kazinform (kt.kz)", "kt.kz")
    (True, True)
    """
    label, folded = _site_label(registered_domain(domain)), _stem(name)
    if domain.lower() in name.lower():
        return True
    if len(label) < MIN_STEM or len(folded) < MIN_STEM:
        return False
    return label in folded or folded in label


def _looks_like_domain(name: str) -> bool:
    return bool(re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", name.strip().lower()))


def _on_platform(host: str) -> bool:
    return any(host == p or host.endswith("." + p) for p in BLOG_PLATFORMS)


def profile_outlet(name: str, table: Mapping[str, Mapping[str, Any]], *, hosts: Iterable[str] = (),
                   languages: Iterable[str] = (), stored: Mapping[str, Any] | None = None,
                   index: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return one outlet's group values and which were inferred (see the module's docstring).

    ``hosts`` are the hosts its articles were read on, ``languages`` the languages of the
    articles examined ('' where the text did not say clearly), ``stored`` its row of the store's outlets table
    (bias, country, ownership a corpus gave). The table's values win, then the stored ones,
    then inference. ``index`` is the table's :func:`core.outlets.spelling_index` (built when not given).
    """
    index = spelling_index(table) if index is None else index
    key = index.get(fold_name(name))
    facts: Mapping[str, Any] = table[key] if key else {}
    stored = stored or {}
    row: dict[str, Any] = {"outlet": name, "table_name": key or ""}
    for field in ("country", "language", "type", "ownership", "bias", "bias3"):
        row[field] = str(facts.get(field) or "").strip()
    for field in ("country", "ownership", "bias"):
        value = stored.get(field)
        if not row[field] and isinstance(value, str) and value.strip():
            row[field] = value.strip().lower() if field == "bias" else value.strip()
    if row["country"] == "UK":  # stores written before the table used ISO codes
        row["country"] = "GB"
    if not row["bias3"] and row["bias"]:
        row["bias3"] = _COARSE.get(row["bias"], row["bias"])
    inferred: list[str] = []
    hosts = [h.lower().removeprefix("www.") for h in hosts if h]
    own = _own_domains(name, facts, hosts, index)
    if not row["country"]:
        country = _majority([country_from_domain(d) for d in own])
        if not country:
            country = _majority([_host_country(h, key, table, index) for h in hosts])
        if country:
            row["country"] = country
            inferred.append("country")
    row["region"] = region_of(row["country"])
    if row["region"] and "country" in inferred:
        inferred.append("region")
    if not row["type"] and hosts and all(_on_platform(h) for h in hosts):
        row["type"] = "blog_newsletter"
        inferred.append("type")
    languages = list(languages)
    if not row["language"]:
        top = Counter(code for code in languages if code).most_common(1)
        if top and top[0][1] >= LANGUAGE_AGREEMENT * len(languages):
            row["language"] = top[0][0]
            inferred.append("language")
    row["inferred"] = tuple(f for f in GROUP_FIELDS if f in inferred)
    return row


def _own_domains(name: str, facts: Mapping[str, Any], hosts: list[str], index: Mapping[str, str]) -> list[str]:
    if facts.get("domains"):
        return list(facts["domains"])
    if _looks_like_domain(name):
        return [name.strip().lower()]
    matching = [h for h in hosts if name_matches_domain(name, h)]
    if matching:
        return matching
    return [h for h in hosts if not _on_platform(h) and _host_outlet(h, index) is None]


def _host_outlet(host: str, index: Mapping[str, str]) -> str | None:
    """The table's outlet whose domain the host is on (the longest listed suffix), else None."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        key = index.get(".".join(labels[start:]))
        if key:
            return key
    return None


def _host_country(host: str, key: str | None, table: Mapping[str, Mapping[str, Any]], index: Mapping[str, str]) -> str:
    other = _host_outlet(host, index)
    if other is None or other == key or table[other].get("type") == "aggregator":
        return ""
    return str(table[other].get("country") or "")


def _majority(values: list[str]) -> str:
    found = Counter(v for v in values if v)
    if not found:
        return ""
    (best, count), *rest = found.most_common(2)
    return best if not rest or count > rest[0][1] else ""


def profile_outlets(names: Iterable[str], table: Mapping[str, Mapping[str, Any]], *,
                    hosts: Mapping[str, Iterable[str]] | None = None,
                    languages: Mapping[str, Iterable[str]] | None = None,
                    stored: Mapping[str, Mapping[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Return :func:`profile_outlet` for each name, with its hosts, languages and stored row looked up by name."""
    hosts, languages, stored = hosts or {}, languages or {}, stored or {}
    index = spelling_index(table)
    return [profile_outlet(name, table, hosts=list(hosts.get(name, ())), languages=list(languages.get(name, ())),
                           stored=stored.get(name), index=index) for name in names]



def outlet_groups(outlets: pd.DataFrame, *, articles: pd.DataFrame | None = None,
                  table: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Return one row per outlet with its group under every grouping and the fields that were inferred.

    ``outlets`` is the store's outlets table (name, and optionally bias, country, ownership);
    ``articles`` (outlet, and optionally url, language) adds the outlets that only articles name
    and the evidence inference reads: hosts from ``url``, languages from ``language``. ``table``
    defaults to the outlets file with the user's overrides. Missing values of any kind (None,
    NaN, '') are ``unknown``; ``inferred`` is a comma-separated list of inferred fields.
    """
    table = default_outlets() if table is None else table
    names: list[str] = []
    stored: dict[str, dict[str, Any]] = {}
    if "name" in outlets:
        for record in outlets.to_dict("records"):
            name = record.get("name")
            if isinstance(name, str):
                names.append(name)
                stored[name] = {k: v for k, v in record.items() if isinstance(v, str)}
    hosts: dict[str, list[str]] = {}
    languages: dict[str, list[str]] = {}
    if articles is not None and "outlet" in articles and not articles.empty:
        for outlet, group in articles.groupby("outlet", sort=False):
            outlet = str(outlet)
            if outlet not in stored:
                names.append(outlet)
            if "url" in group:
                hosts[outlet] = [url_host(u) for u in group["url"] if isinstance(u, str) and u]
            if "language" in group:  # a missing language is no evidence; '' (examined, unclear) is
                languages[outlet] = [v for v in group["language"] if isinstance(v, str)]
    names = list(dict.fromkeys(names))
    rows = profile_outlets(names, table, hosts=hosts, languages=languages, stored=stored)
    frame = pd.DataFrame(rows, columns=list(GROUP_COLUMNS)) if rows else pd.DataFrame(columns=list(GROUP_COLUMNS))
    for field in GROUP_FIELDS:
        frame[field] = frame[field].map(lambda v: v if isinstance(v, str) and v else UNKNOWN)
    frame["inferred"] = frame["inferred"].map(lambda v: ",".join(v) if isinstance(v, tuple) else "")
    return frame[list(GROUP_COLUMNS)]


def store_outlet_groups(store: Store, flt: ArticleFilter = ArticleFilter(), *,
                        table: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Return :func:`outlet_groups` for the outlets of a selection, with the evidence read from the store.

    The one call report, brief, digest and dashboard need: each outlet's country, region,
    language, type, ownership, bias and bias3 (``unknown`` when neither listed nor inferred)
    and ``inferred``. An article without a stored language gets one detected from its title and
    text, for up to ``LANGUAGE_SAMPLE`` articles of each outlet whose language the table lacks.
    Only outlets with articles in the selection are returned.
    """
    table = default_outlets() if table is None else table
    articles = store.articles(flt, columns=("outlet", "url", "language"))
    groups = outlet_groups(store.outlets(), articles=articles, table=table)
    unknown = set(groups.loc[groups["language"] == UNKNOWN, "outlet"]) & set(articles["outlet"])
    if unknown:
        missing = articles[articles["outlet"].isin(unknown) & articles["language"].isna()]
        sample = missing.groupby("outlet", sort=False).head(LANGUAGE_SAMPLE)
        if not sample.empty:
            texts = store.articles(ids=sample["id"].tolist(), with_text=True, columns=("title", "text"))
            detected = {row.id: detect_language(f"{row.title}\n{row.text}") for row in texts.itertuples()}
            articles = articles.assign(language=[detected.get(i, lang)
                                                 for i, lang in zip(articles["id"], articles["language"])])
            groups = outlet_groups(store.outlets(), articles=articles, table=table)
    return groups[groups["outlet"].isin(set(articles["outlet"]))].reset_index(drop=True)




def outlet_listing(store: Store, flt: ArticleFilter = ArticleFilter(), *, unknown_only: bool = False,
                   table: Mapping[str, Mapping[str, Any]] | None = None) -> pd.DataFrame:
    """Return the outlets of a selection with their article counts and group values, gaps first.

    Rows with an unknown country, type or language come first (most gaps first), then rows with
    inferred values, then the rest; within each, more articles first. ``unknown_only`` keeps the
    rows with a gap. ``table_name`` is the outlets-file entry the outlet matched ('' for none);
    ``read_elsewhere`` counts the outlet's articles read on another site, ``hosts`` names those sites.
    """
    groups = store_outlet_groups(store, flt, table=table)
    counts = store.articles(flt, columns=("outlet",))["outlet"].value_counts()
    read_elsewhere: dict[str, int] = {}
    named: dict[str, list[str]] = {}
    for row in store.hosts(flt).itertuples():  # most articles first
        if row.reposted and not name_matches_domain(str(row.outlet), str(row.host)):  # its own site: not a re-post
            read_elsewhere[row.outlet] = read_elsewhere.get(row.outlet, 0) + int(row.articles)
            named.setdefault(row.outlet, []).append(f"{row.host} ({row.articles})")
    hosts = {outlet: ", ".join(names[:LISTED_HOSTS])
             + (f" and {len(names) - LISTED_HOSTS} more" if len(names) > LISTED_HOSTS else "")
             for outlet, names in named.items()}
    frame = groups.assign(articles=groups["outlet"].map(counts).fillna(0).astype(int),
                          read_elsewhere=[read_elsewhere.get(o, 0) for o in groups["outlet"]],
                          hosts=[hosts.get(o, "") for o in groups["outlet"]])
    gaps = sum((frame[field] == UNKNOWN).astype(int) for field in KEY_FIELDS)
    frame = frame.assign(_gaps=gaps, _inferred=(frame["inferred"] != "").astype(int))
    if unknown_only:
        frame = frame[frame["_gaps"] > 0]
    frame = frame.sort_values(["_gaps", "_inferred", "articles", "outlet"], ascending=[False, False, False, True])
    return frame[list(LISTING_COLUMNS)].reset_index(drop=True)


def with_article_languages(store: Store, articles: pd.DataFrame) -> pd.DataFrame:
    """Return ``articles`` (id, language) with every missing language detected from the article's text.

    Adds ``language_inferred``: True where the language was detected here (``''`` when the text
    did not say clearly), False where the data gave it. Texts are read in chunks by id.
    """
    given = articles["language"].map(lambda v: isinstance(v, str) and bool(v)) if "language" in articles \
        else pd.Series(False, index=articles.index)
    missing = articles.loc[~given, "id"].astype(str).tolist()
    detected: dict[str, str] = {}
    for start in range(0, len(missing), 500):
        texts = store.articles(ids=missing[start:start + 500], columns=("title", "text"))
        detected.update({str(row.id): detect_language(f"{row.title}\n{row.text}") for row in texts.itertuples()})
    languages = [value if ok else detected.get(str(i), "")
                 for i, value, ok in zip(articles["id"], articles.get("language", given), given)]
    return articles.assign(language=languages, language_inferred=~given.to_numpy())
