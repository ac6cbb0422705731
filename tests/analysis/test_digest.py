"""The story digest on real coverage: honesty rules, determinism, safe rendering, the CLI."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.__main__ import add_digest_parser, cmd_digest
from analysis.base import PART_TITLE
from analysis.digest.build import build_digest, digest_from_frames
from analysis.digest.model import Digest
from analysis.digest.render import render_html, render_markdown
from core.errors import UnknownNameError
from core.settings import Settings
from core.store import ArticleFilter, Store
from tests.conftest import require_shared
from tests.helpers import build_store, run_cli

GROUNDNEWS_STORIES = ("groundnews-0", "groundnews-1", "groundnews-2", "groundnews-4", "groundnews-5")
HEADINGS = ("## What's happened", "## Key insights", "## What the papers say", "## How we got here",
            "## Go deeper", "## More on these topics")
BASIL_SAMPLE = 3  # the first stories by id: enough to meet three outlets with long texts, cheap enough


@pytest.fixture(scope="module")
def groundnews_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = require_shared("corpora", "groundnews_stories", "articles.jsonl")
    return build_store(tmp_path_factory.mktemp("groundnews") / "gn.db", corpus)


def _settings(db: Path) -> Settings:
    return Settings.load({"db": str(db)}, environ={})


@pytest.fixture(scope="module")
def groundnews_digests(groundnews_db: Path) -> dict[str, Digest]:
    with Store.open(groundnews_db, readonly=True) as store:
        return {story: build_digest(store, story, _settings(groundnews_db), detail="full")
                for story in GROUNDNEWS_STORIES}


@pytest.fixture(scope="module")
def groundnews_short(groundnews_db: Path) -> dict[str, Digest]:
    with Store.open(groundnews_db, readonly=True) as store:
        return {story: build_digest(store, story, _settings(groundnews_db)) for story in GROUNDNEWS_STORIES}


@pytest.fixture(scope="module")
def basil_digests(basil_db: Path) -> dict[str, Digest]:
    with Store.open(basil_db, readonly=True) as store:
        stories = sorted(store.distinct("story_id"))[:BASIL_SAMPLE]
        return {story: build_digest(store, story, _settings(basil_db), detail="full") for story in stories}


def _articles(db: Path) -> dict[str, dict[str, object]]:
    with Store.open(db, readonly=True) as store:
        frame = store.articles(with_text=True)
    return {row["id"]: row for row in frame.to_dict("records")}


def _check_citations(digest: Digest, articles: dict[str, dict[str, object]]) -> int:
    checked = 0
    for citation in digest.citations():
        article = articles[citation.article_id]
        assert article["outlet"] == citation.outlet, citation
        assert article["title"] == citation.title
        assert article["url"] == citation.url or (article["url"] is None and citation.url is None)
        stored = article["title"] if citation.part == PART_TITLE else article["text"]
        assert isinstance(stored, str)
        assert stored[citation.start:citation.end] == citation.sentence, citation
        checked += 1
    return checked


# ------------------------------------------------------------------------------------------ honesty rules
def test_every_cited_sentence_is_stored_text_of_its_outlet(groundnews_db: Path,
                                                          groundnews_digests: dict[str, Digest],
                                                          groundnews_short: dict[str, Digest]) -> None:
    articles = _articles(groundnews_db)
    for digests in (groundnews_digests, groundnews_short):
        counts = {story: _check_citations(digest, articles) for story, digest in digests.items()}
        assert all(n >= 10 for n in counts.values()), counts


def test_basil_citations_are_stored_text(basil_db: Path, basil_digests: dict[str, Digest]) -> None:
    articles = _articles(basil_db)
    assert len(basil_digests) == BASIL_SAMPLE
    for digest in basil_digests.values():
        assert digest.outlets == 3
        assert _check_citations(digest, articles) >= 5
        assert 1 <= len(digest.section("whats_happened").items) <= 2


def test_every_figure_occurs_in_its_cited_sentence(groundnews_digests: dict[str, Digest],
                                                   groundnews_short: dict[str, Digest]) -> None:
    shown = 0
    for digest in [*groundnews_digests.values(), *groundnews_short.values()]:
        for item in (*digest.section("figures").items, *digest.section("key_insights").items):
            for entry in item.entries:
                assert entry.citations
                for citation in entry.citations:
                    assert entry.label in citation.sentence, (entry.label, citation.sentence)
                    shown += 1
    assert shown >= 50


def test_figure_groups_on_the_hydrogen_story(groundnews_digests: dict[str, Digest]) -> None:
    figures = groundnews_digests["groundnews-1"].section("figures")
    labels = {entry.label for item in figures.items for entry in item.entries}
    assert "2.5 billion euros" in labels
    cost = next(i for i in figures.items if any(e.label == "2.5 billion euros" for e in i.entries))
    assert "outlets" in cost.text and int(cost.text.split("; ")[1].split()[0]) >= 5


def test_same_store_and_story_give_the_same_bytes(groundnews_db: Path,
                                                  groundnews_digests: dict[str, Digest]) -> None:
    with Store.open(groundnews_db, readonly=True) as store:
        again = build_digest(store, "groundnews-0", _settings(groundnews_db), detail="full")
    assert again.to_json().encode() == groundnews_digests["groundnews-0"].to_json().encode()
    assert render_markdown(again) == render_markdown(groundnews_digests["groundnews-0"])
    assert list(json.loads(again.to_json())) == ["story", "label", "articles", "outlets", "first_published",
                                                 "last_published", "sections", "detail", "selection"]


def test_markdown_has_all_six_sections(groundnews_digests: dict[str, Digest], groundnews_short: dict[str, Digest],
                                       basil_digests: dict[str, Digest]) -> None:
    for digest in [*groundnews_digests.values(), *groundnews_short.values(), *basil_digests.values()]:
        text = render_markdown(digest)
        positions = [text.index(h + "\n") for h in HEADINGS]
        assert positions == sorted(positions)
        assert "### The figures the outlets cite" in text


# ------------------------------------------------------------------------------------------ the sections
def test_whats_happened_picks_agreed_ledes(groundnews_digests: dict[str, Digest]) -> None:
    for story in ("groundnews-1", "groundnews-2", "groundnews-4"):
        items = groundnews_digests[story].section("whats_happened").items
        assert 1 <= len(items) <= 2 and sum(len(i.text.split()) for i in items) <= 90
        assert all(item.quoted and item.text == item.citations[0].sentence for item in items)
        assert len({item.citations[0].sentence for item in items}) == len(items)
    first = groundnews_digests["groundnews-4"].section("whats_happened").items[0]
    assert "Luis Enrique" in first.text and "other outlets" in first.note


def test_short_digest_is_a_page_with_themes_and_contrasts(groundnews_short: dict[str, Digest]) -> None:
    from analysis.digest.short import MAX_PAPERS_WORDS, MAX_WORDS, markdown_words, section_words

    for story, digest in groundnews_short.items():
        page = render_markdown(digest)
        assert digest.detail == "short" and markdown_words(page) <= MAX_WORDS, story
        assert section_words(digest, "papers", render_markdown) <= MAX_PAPERS_WORDS, story
    big = groundnews_short["groundnews-4"]  # 46 articles of 45 outlets
    themes = big.section("key_insights").items
    assert 4 <= len(themes) <= 6 and all(len(t.heading.split(", ")) >= 2 for t in themes)
    outlets = {str(o) for o in _outlets_of(big)}
    assert not {w for t in themes for w in t.heading.split(", ")} & {o.lower() for o in outlets}
    assert len([i for i in big.section("papers").items if i.heading not in ("Blindspots", "Outlet groups")]) >= 3


def _outlets_of(digest: Digest) -> set[str]:
    return {c.outlet for c in digest.citations()}


def test_descriptions_come_from_the_coverage(groundnews_digests: dict[str, Digest]) -> None:
    topics = {i.heading: i for i in groundnews_digests["groundnews-0"].section("more_on_topics").items}
    assert "Paul Whelan" in topics
    whelan = topics["Paul Whelan"]
    assert whelan.text.startswith("an American detained in Russia")
    assert whelan.text.split(" (")[0] in whelan.citations[0].sentence
    putin = {i.heading: i for i in groundnews_digests["groundnews-5"].section("more_on_topics").items}
    assert putin["Vladimir Putin"].text.startswith("Russian President")


def test_story_timeline_names_the_first_outlet(groundnews_digests: dict[str, Digest]) -> None:
    items = groundnews_digests["groundnews-0"].section("how_we_got_here").items
    first = next(i for i in items if i.heading.endswith("first report"))
    assert first.heading.startswith("2022-12-09") and first.citations[0].part == PART_TITLE


def test_brief_section_has_every_outlet(groundnews_digests: dict[str, Digest]) -> None:
    papers = groundnews_digests["groundnews-0"].section("papers")
    assert "not available" not in papers.note
    named = {item.heading for item in papers.items}
    assert {"CNN", "KIFI", "Tampafp"} <= named | {o for i in papers.items for o in i.text.split(", ")}


def test_thin_coverage_says_so_instead_of_padding() -> None:
    articles = pd.DataFrame([{"id": "a1", "outlet": "Example", "url": "javascript:alert(1)",
                              "title": "Council <b>approves</b> budget", "published": "2025-06-09",
                              "text": "The city council approved a budget of $12 million on Monday after a long "
                                      "debate about parks. <script>alert(1)</script> Members voted 7 to 2."}])
    story = {"story": "s1", "label": "Council <b>approves</b> budget", "first_published": "2025-06-09",
             "last_published": "2025-06-09"}
    stories = pd.DataFrame([{**story, "key_terms": [], "n_articles": 1, "n_outlets": 1, "origin": "data"}])
    digest = digest_from_frames(story, articles, stories=stories)
    assert digest.section("key_insights").note.startswith("Too little coverage")
    assert digest.section("figures").note.startswith("Too little coverage")
    assert "only one outlet" in digest.section("whats_happened").note.lower()
    page = render_html(digest)
    assert "<script" not in page.lower() and "&lt;b&gt;approves&lt;/b&gt;" in page
    assert "javascript:" not in page and "http" not in page.replace("http-equiv", "")
    assert "\\<b\\>approves\\</b\\>" in render_markdown(digest)


def test_html_of_real_story_is_standalone(groundnews_digests: dict[str, Digest]) -> None:
    page = render_html(groundnews_digests["groundnews-4"])
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)=["']?(?!https?://)""", page.replace('href="http', ""))
    for heading in ("What&#x27;s happened", "Key insights", "What the papers say", "How we got here", "Go deeper",
                    "More on these topics"):
        assert f">{heading}</h2>" in page


# ------------------------------------------------------------------------------------------ CLI
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis")
    add_digest_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_writes_each_format(groundnews_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("md", "html", "json"):
        out = tmp_path / f"digest.{fmt}"
        args = _parser().parse_args(["digest", "--story", "groundnews-5", "--format", fmt, "--out", str(out),
                                     "--db", str(groundnews_db)])
        assert cmd_digest(args) == 0
        text = out.read_text(encoding="utf-8")
        assert text and ("NATO" in text)
    assert json.loads((tmp_path / "digest.json").read_text(encoding="utf-8"))["story"] == "groundnews-5"
    assert "digest of groundnews-5 (6 articles, 6 outlets)" in capsys.readouterr().out
    args = _parser().parse_args(["digest", "--story", "groundnews-5", "--db", str(groundnews_db),
                                 "--target", "Belarus", "--detail", "full"])
    assert cmd_digest(args) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("# ") and "**Belarus**" in printed


def test_unknown_story_names_valid_ones(groundnews_db: Path) -> None:
    args = _parser().parse_args(["digest", "--story", "no-such-story", "--db", str(groundnews_db)])
    with pytest.raises(UnknownNameError) as caught:
        cmd_digest(args)
    assert "unknown story 'no-such-story'" in str(caught.value) and "groundnews-4" in str(caught.value)


def test_run_cli_digest_when_wired(groundnews_db: Path) -> None:
    from analysis import __main__ as entry

    if "digest" not in getattr(entry, "COMMANDS", {}):
        pytest.skip("the digest subcommand is not wired into analysis/__main__.py yet")
    done = run_cli("analysis", "digest", "--story", "groundnews-0", "--db", str(groundnews_db))
    assert done.returncode == 0, done.stderr
    assert all(h in done.stdout for h in HEADINGS)
    bad = run_cli("analysis", "digest", "--story", "nope", "--db", str(groundnews_db))
    assert bad.returncode == 2 and "unknown story 'nope'" in bad.stderr


def test_filter_reads_only_the_story(groundnews_db: Path, groundnews_digests: dict[str, Digest]) -> None:
    with Store.open(groundnews_db, readonly=True) as store:
        ids = set(store.articles(ArticleFilter(story_id="groundnews-5"))["id"])
    cited = {c.article_id for s in groundnews_digests["groundnews-5"].sections if s.key != "how_we_got_here"
             for i in s.items for c in i.citations}
    assert cited and cited <= ids


def test_same_bytes_across_processes_and_hash_seeds(groundnews_db: Path) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    script = ("import sys; from analysis.digest.build import build_digest; from core.settings import Settings; "
              "from core.store import Store; s = Store.open(sys.argv[1], readonly=True); "
              "sys.stdout.write(build_digest(s, 'groundnews-5', Settings.load({'db': sys.argv[1]}, environ={}))"
              ".to_json())")
    outputs = []
    for seed in ("1", "2"):
        done = subprocess.run([sys.executable, "-c", script, str(groundnews_db)], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=300, env={"PYTHONHASHSEED": seed, "OMP_NUM_THREADS": "1",
                                                           "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] and json.loads(outputs[0])["story"] == "groundnews-5"
