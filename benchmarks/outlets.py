"""Outlet knowledge coverage and language detection, measured on the shared files.

1. **Coverage**: each corpus of ../shared/corpora is imported into a new store; for every
   article, is its outlet's country known, its type known (from data/outlets.toml, the store, or
   inferred: core/outlet_profiles.py)? "Before" is the same articles judged with an older outlets
   file (``--before FILE``, e.g. ``git show 2c24b66:data/outlets.toml > /tmp/old.toml``): its
   country by spelling, or the store's; that file had no type.
2. **Language detection** (core/languages.py) on the 112 pages of ../shared/bench/extraction:
   the detected language of the ground-truth text (and of its first 200 characters) against the
   language the page declares (``<html lang>``), where it declares one.
3. **Attribution** (scrapers/attribution.py) on multiday_stories, whose ``outlet`` is the original
   publisher where the page names one and whose URL is where the text was read: of the articles
   of a listed outlet read on another site, how many the rules find (from title and text only:
   the corpus keeps no HTML), and how many pages they credit to a publisher the corpus does not.

    OMP_NUM_THREADS=1 .venv/bin/python -m benchmarks.outlets [--before /tmp/old.toml] [--corpus NAME ...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import tempfile
import tomllib
from collections import Counter
from pathlib import Path

import pandas as pd

from core.languages import detect_language
from core.outlet_profiles import UNKNOWN, store_outlet_groups
from core.outlets import fold_name
from core.store import Store
from scrapers.importer import import_files

SHARED = Path(os.environ.get("PRESSLENS_SHARED", Path(__file__).resolve().parent.parent.parent / "shared"))
CORPORA = ("allsides_abp", "basil", "groundnews_stories", "multiday_stories")
_LANG = re.compile(rb"<html[^>]*\slang=[\"']?([A-Za-z]{2})", re.IGNORECASE)


def corpus_file(name: str) -> Path:
    folder = SHARED / "corpora" / name
    return next(p for p in (folder / "articles.jsonl", folder / "articles.jsonl.gz") if p.exists())


def old_countries(path: Path | None) -> dict[str, str]:
    """Return ``{folded spelling: country}`` from an older outlets file (no validation: it used 'UK')."""
    if path is None:
        return {}
    countries: dict[str, str] = {}
    for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("outlet", []):
        for spelling in (entry["name"], entry.get("display_name", ""), *entry.get("aliases", []),
                         *entry.get("domains", [])):
            if spelling and entry.get("country"):
                countries.setdefault(fold_name(spelling), entry["country"])
    return countries


def coverage(name: str, before: dict[str, str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "c.db") as store:
        import_files([corpus_file(name)], store)
        articles = store.articles(columns=("outlet", "labels"))
        groups = store_outlet_groups(store).set_index("outlet")
    outlets = articles["outlet"]
    given = [json.loads(labels).get("outlet_as_given", outlet) for outlet, labels in zip(outlets, articles["labels"])]
    country = outlets.map(groups["country"]) != UNKNOWN
    kind = outlets.map(groups["type"]) != UNKNOWN
    inferred = outlets.map(groups["inferred"]).str.contains("country")
    old = pd.Series([bool(before.get(fold_name(o)) or before.get(fold_name(g))) for o, g in zip(outlets, given)])
    n = len(articles)
    return {"corpus": name, "articles": n, "outlets": outlets.nunique(),
            "country_before": old.mean(), "country": country.mean(), "country_inferred": inferred.mean(),
            "type": kind.mean(), "country_and_type": (country & kind).mean(),
            "outlets_unknown_country": int((groups["country"] == UNKNOWN).sum())}


def language_accuracy() -> dict[str, object]:
    folder = SHARED / "bench" / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    results: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for page_id, gold in truth.items():
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        declared = _LANG.search(html[:5000])
        if not declared:
            results["no declared language"] += 1
            continue
        lang = declared.group(1).decode().lower()
        text = gold.get("articleBody") or ""
        for label, sample in (("body", text), ("first 200 chars", text[:200])):
            found = detect_language(sample)
            results[f"{label}: pages"] += 1
            results[f"{label}: " + ("right" if found == lang else "no answer" if not found else "wrong")] += 1
            if found and found != lang:
                confusions[(lang, found)] += 1
    results.update({f"declared {k}": v for k, v in Counter(
        _LANG.search(gzip.decompress((folder / "html" / f"{p}.html.gz").read_bytes())[:5000]).group(1).decode().lower()
        for p in truth
        if _LANG.search(gzip.decompress((folder / "html" / f"{p}.html.gz").read_bytes())[:5000])).items()})
    return {"counts": dict(results), "wrong": {f"{a}->{b}": n for (a, b), n in confusions.items()}}


def attribution_accuracy() -> dict[str, int]:
    from core.outlets import default_outlets, spelling_index
    from scrapers.attribution import attribute
    from scrapers.outlets import outlet_for_url

    table = default_outlets()
    index = spelling_index(table)
    counts: Counter[str] = Counter()
    for line in corpus_file("multiday_stories").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        truth, host = index.get(fold_name(record["outlet"])), outlet_for_url(record["url"], table)
        found = attribute(record["url"], table, text=record["text"], title=record["title"])
        credited = index.get(fold_name(found.publisher)) if found.reposted else None
        counts["articles"] += 1
        if truth and truth != host:
            counts["read off a listed publisher's site"] += 1
            counts["  found, right publisher"] += credited == truth
            counts["  found, wrong publisher"] += bool(credited) and credited != truth
        elif found.reposted:
            counts["own-site or unlisted pages credited to another outlet"] += 1
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", type=Path, help="an older data/outlets.toml to compare with")
    parser.add_argument("--corpus", action="append", choices=CORPORA, help="corpora to measure (default: all)")
    args = parser.parse_args()
    before = old_countries(args.before)
    print("corpus               articles outlets  country(before)  country  of which inferred  type  both")
    for name in args.corpus or CORPORA:
        r = coverage(name, before)
        print(f"{r['corpus']:<20} {r['articles']:>8} {r['outlets']:>7}  {r['country_before']:>15.1%}  "
              f"{r['country']:>7.1%}  {r['country_inferred']:>16.1%}  {r['type']:>4.1%}  {r['country_and_type']:.1%}")
    print(json.dumps(language_accuracy(), indent=1, sort_keys=True))
    print(json.dumps(attribution_accuracy(), indent=1))


if __name__ == "__main__":
    main()
