"""Property-based tests (hypothesis) over the URL canonicaliser, extraction, the CSV/JSON exporter, the importer.

The example counts below are the ones docs/reliability.md quotes; ``pytest tests/reliability/test_properties.py
--hypothesis-show-statistics`` prints how many each test really ran.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.errors import ExtractError
from core.store import Store
from core.tabular import FORMULA_PREFIXES, to_csv, to_json
from core.urls import TRACKING_PARAMS, TRACKING_PREFIXES, canonical_url
from scrapers.extract.cascade import extract

URL_EXAMPLES = 1000
EXTRACT_EXAMPLES = 150
EXPORT_EXAMPLES = 300
IMPORT_EXAMPLES = 40


def slow(examples: int) -> settings:
    """Settings for tests whose examples take tens of milliseconds (extraction, a store per example)."""
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# --- the URL canonicaliser -------------------------------------------------------------------------

LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
DOMAIN = st.lists(LABEL, min_size=2, max_size=3).map(".".join)
SEGMENT = st.text(alphabet="abcxyzAMP019-_.~%", min_size=1, max_size=8).filter(lambda s: s not in (".", ".."))
PATH = st.lists(SEGMENT, max_size=4).map(lambda parts: "/" + "/".join(parts))
KEEP_KEY = st.text(alphabet="abcdqxyz", min_size=1, max_size=5).filter(
    lambda k: k not in TRACKING_PARAMS and not k.startswith(TRACKING_PREFIXES))
TRACK_KEY = st.one_of(st.sampled_from(sorted(TRACKING_PARAMS)),
                      st.builds(lambda p, s: p + s, st.sampled_from(TRACKING_PREFIXES), LABEL))
VALUE = st.text(alphabet="abc019 -_.=&%+", max_size=6)
KEPT = st.lists(st.tuples(KEEP_KEY, VALUE), max_size=3, unique_by=lambda kv: kv[0])
TRACKING = st.lists(st.tuples(TRACK_KEY, VALUE), max_size=3)


def _query(pairs: list[tuple[str, str]]) -> str:
    from urllib.parse import urlencode

    return urlencode(pairs)


@st.composite
def article_urls(draw: st.DrawFn) -> tuple[str, str, str, list[tuple[str, str]]]:
    """An article URL as parts: scheme, domain (www.-prefixed), path, kept query pairs."""
    return (draw(st.sampled_from(["http", "https"])), "www." + draw(DOMAIN), draw(PATH), draw(KEPT))


def _url(scheme: str, host: str, path: str, pairs: list[tuple[str, str]], fragment: str = "") -> str:
    query = _query(pairs)
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


NASTY = st.lists(st.sampled_from([*"hHtTpPsS:/?#[]@!$&'()*+,;=%.-_~ \t\n\x00aAmMpP1", "é", "\u3002", "\uff0f",
                                 "::1", "amp.", "m.", "/amp", "utm_x=1&", "[::1]", ":99999"]),
                max_size=30).map("".join)


@settings(max_examples=URL_EXAMPLES, deadline=None)
@given(st.one_of(st.text(max_size=60), NASTY, NASTY.map(lambda s: "http://" + s), NASTY.map(lambda s: "HTTPS://a" + s)))
def test_canonical_url_is_idempotent_or_a_clear_value_error(text: str) -> None:
    try:
        once = canonical_url(text)
    except ValueError as exc:  # the only error, and it names the input
        assert repr(text) in str(exc)
        return
    assert re.match(r"^https?://[^/?#\s]+/", once), once
    assert canonical_url(once) == once


@settings(max_examples=URL_EXAMPLES, deadline=None)
@given(article_urls(), TRACKING, st.randoms(use_true_random=False), st.text(alphabet="abc", max_size=4))
def test_tracking_params_dropped_and_the_rest_kept(parts: tuple[str, str, str, list[tuple[str, str]]],
                                                  tracking: list[tuple[str, str]], rnd: Any, fragment: str) -> None:
    scheme, host, path, kept = parts
    mixed = kept + tracking
    rnd.shuffle(mixed)
    result = canonical_url(_url(scheme, host, path, mixed, fragment))
    query = parse_qsl(urlsplit(result).query, keep_blank_values=True)
    assert not [k for k, _ in query if k.lower() in TRACKING_PARAMS or k.lower().startswith(TRACKING_PREFIXES)]
    assert sorted(query) == sorted(kept)  # order-free, values intact
    assert result == canonical_url(_url(scheme, host, path, kept))  # same article, same canonical URL
    assert "#" not in result


@settings(max_examples=URL_EXAMPLES, deadline=None)
@given(article_urls(), st.sampled_from(["/amp", "/amp/", "/amp.html", "/output/amp", "/print", "/AMP"]),
       st.sampled_from([[], [("amp", "1")], [("outputType", "amp")], [("amp", "")]]), st.booleans(),
       st.booleans())
def test_amp_and_mobile_variants_map_to_the_same_url(parts: tuple[str, str, str, list[tuple[str, str]]],
                                                     suffix: str, amp_query: list[tuple[str, str]], mobile: bool,
                                                     amp_segment: bool) -> None:
    scheme, host, path, kept = parts
    assume(not re.search(r"/(amp|amp\.html|print)(/|$)", path, re.IGNORECASE))  # the article's own path
    base = canonical_url(_url(scheme, host, path, kept))
    variant_host = "m." + host[4:] if mobile else host
    variant_path = ("/amp" + path if amp_segment and path != "/" else path).rstrip("/") + suffix
    assert canonical_url(_url(scheme, variant_host, variant_path, kept + amp_query)) == base
    assert canonical_url(_url(scheme, "amp." + host[4:], path, kept)) == canonical_url(
        _url(scheme, host[4:], path, kept))


@settings(max_examples=URL_EXAMPLES, deadline=None)
@given(article_urls(), st.randoms(use_true_random=False), st.sampled_from(["", ":80", ":443", ":8080"]))
def test_scheme_and_host_case_and_default_ports_do_not_matter(parts: tuple[str, str, str, list[tuple[str, str]]],
                                                              rnd: Any, port: str) -> None:
    scheme, host, path, kept = parts
    shout = lambda s: "".join(c.upper() if rnd.random() < 0.5 else c for c in s)  # noqa: E731
    plain = canonical_url(_url(scheme, host + port, path, kept))
    assert canonical_url(_url(shout(scheme), shout(host) + port, path, kept)) == plain
    assert urlsplit(plain).netloc == host + ("" if port in ("", {"http": ":80", "https": ":443"}[scheme]) else port)
    assert canonical_url(_url(scheme, "user:secret@" + host + port, path, kept)) == plain  # credentials dropped


def test_canonical_url_fixed_bugs() -> None:
    """Inputs hypothesis found: each broke idempotence before core/urls.py was fixed."""
    with pytest.raises(ValueError, match="not an absolute"):
        canonical_url("http://./story")  # used to give 'http:///story', which then raised
    assert canonical_url("http://[::1]:8080/a") == "http://[::1]:8080/a"  # used to lose the IPv6 brackets
    assert canonical_url("https://x.com/a/amp/amp") == canonical_url("https://x.com/a") == "https://x.com/a"
    assert canonical_url("https://x.com/amp/amp/a") == "https://x.com/a"
    assert canonical_url("https://amp.m.x.com/a") == "https://www.x.com/a"
    with pytest.raises(ValueError, match="not a valid URL: 'http://x.com:99999/a'"):
        canonical_url("http://x.com:99999/a")


# --- the extraction entry point --------------------------------------------------------------------

WORDS = ["court", "tariff", "minister", "said", "the", "of", "export", "rare", "earth", "magnets", "week",
         "talks", "china", "rules", "price", "market", "reported", "officials", "on", "new"]
FRAGMENTS = ["<p>", "</p>", "<div>", "</div>", "<article>", "<script>", "</script>", "<style>", "<!--", "-->",
             "<![CDATA[", "]]>", "&amp;", "&#0;", "&#xD800;", "&#99999999;", "<meta charset=utf-7>",
             '<meta charset="unicode_escape">', "<meta charset=bogus>", "<?xml version='1.0' encoding='x'?>",
             "+ADw-script+AD4-", "\\x3cscript>", "<a href='javascript:x'>", "<br>", "<table><tr><td>", "<",
             ">", "\"", "'", "\x00", "\ufeff", "é", " ", "\n", "<body>", "<html>", "</html>", "<title>", "</title>"]
HTMLISH = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.sampled_from(WORDS).map(lambda w: w + " ")),
                   max_size=120).map("".join)
ENCODINGS = ["utf-8", "latin-1", "cp1252", "utf-16", "shift_jis", "koi8-r"]


def _extract_or_documented_error(data: str | bytes) -> None:
    try:
        article = extract(data, url="https://fuzz.example/a")
    except ExtractError as exc:
        assert str(exc).startswith("https://fuzz.example/a: ")  # names the page, says what is wrong
        return
    assert isinstance(article.text, str) and len(re.findall(r"\w+", article.text)) >= 10


@slow(EXTRACT_EXAMPLES)
@given(st.binary(max_size=3000))
def test_extract_on_arbitrary_bytes(data: bytes) -> None:
    _extract_or_documented_error(data)


def test_markup_left_after_clean_up_is_no_body() -> None:
    """Found by hypothesis: the escaped tags of a broken title passed as ten words, then clean-up left '-->'."""
    with pytest.raises(ExtractError, match=r"^https://fuzz.example/a: no article body text found"):
        extract("<p><title><p><p><p><p><p><p><p><p><p><p></title>-->", url="https://fuzz.example/a")


@slow(EXTRACT_EXAMPLES)
@given(HTMLISH, st.sampled_from(ENCODINGS), st.binary(max_size=8))
def test_extract_on_broken_html_and_charsets(html: str, encoding: str, junk: bytes) -> None:
    data = html.encode(encoding, errors="ignore")
    _extract_or_documented_error(data + junk)
    _extract_or_documented_error(html)


@slow(40)
@given(st.integers(0, 20_000), st.sampled_from(["div", "span", "p", "table", "b"]))
def test_extract_on_deep_nesting(depth: int, tag: str) -> None:
    body = "<p>" + "The minister said the talks on rare earth exports went on. " * 8 + "</p>"
    _extract_or_documented_error(f"<html><body>{f'<{tag}>' * depth}{body}{f'</{tag}>' * depth}</body></html>")


HIDDEN = {"script": "SCRIPTSECRET", "style": "STYLESECRET", "comment": "COMMENTSECRET", "attr": "ATTRSECRET"}
SENTENCE = st.lists(st.sampled_from(WORDS), min_size=6, max_size=14).map(lambda ws: " ".join(ws).capitalize() + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=2, max_size=5).map(" ".join)


@slow(EXTRACT_EXAMPLES)
@given(st.lists(PARAGRAPH, min_size=1, max_size=8), st.sampled_from(["p", "div", "section"]), st.booleans())
def test_extracted_text_is_plain_text_taken_from_the_page(paragraphs: list[str], tag: str, wrap: bool) -> None:
    inner = "".join(f'<{tag} class="x" data-note="{HIDDEN["attr"]}">{p}</{tag}>'
                    f"<script>var s = '{HIDDEN['script']}';</script><!-- {HIDDEN['comment']} -->"
                    for p in paragraphs)
    page = (f"<html><head><title>Headline</title><style>.x{{content:'{HIDDEN['style']}'}}</style></head><body>"
            + (f"<article>{inner}</article>" if wrap else inner) + "</body></html>")
    visible = re.sub(r"\s+", " ", " ".join(paragraphs))
    try:
        article = extract(page.encode("utf-8"), url="https://fuzz.example/b")
    except ExtractError as exc:  # too few words on the page is the documented refusal
        assert "no article body text found" in str(exc) and len(visible.split()) < 60
        return
    assert "<" not in article.text and ">" not in article.text
    assert not [secret for secret in HIDDEN.values() if secret in article.text]
    for line in article.text.split("\n"):
        assert re.sub(r"\s+", " ", line).strip() in visible, line  # every line is page text, in page order


# --- the CSV / JSON exporter -----------------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=20),
    st.builds(lambda p, s: p + s, st.sampled_from(FORMULA_PREFIXES), st.text(max_size=20)),
    st.sampled_from(['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0",
                     "'=already", " =1", "\n=1", "", "x\r=HYPERLINK(1)", "a\r\n@SUM(1)", "b\n-1"]),
)
CELL = st.one_of(HOSTILE, st.none())


@st.composite
def export_frames(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(0, 6))
    frame = pd.DataFrame({
        "outlet": draw(st.lists(HOSTILE, min_size=rows, max_size=rows)),
        "title": draw(st.lists(CELL, min_size=rows, max_size=rows)),
        "tone": draw(st.lists(st.floats(-1, 1, allow_nan=False), min_size=rows, max_size=rows)),
        "articles": draw(st.lists(st.integers(-5, 10**6), min_size=rows, max_size=rows)),
        "key_terms": draw(st.lists(st.lists(HOSTILE, max_size=3), min_size=rows, max_size=rows)),
    })
    if draw(st.booleans()):
        frame["outlet"] = frame["outlet"].astype("category")
    if draw(st.booleans()):
        frame[draw(HOSTILE.filter(lambda c: c not in frame.columns))] = "x"  # a hostile column name
    return frame


def _unsafe(cell: str) -> bool:
    return cell.startswith(FORMULA_PREFIXES)


@settings(max_examples=EXPORT_EXAMPLES, deadline=None)
@given(export_frames())
def test_csv_export_is_formula_safe_and_round_trips(frame: pd.DataFrame) -> None:
    from dashboard.exports import csv_bytes

    text = to_csv(frame)
    assert csv_bytes(frame) == text.encode("utf-8")  # the dashboard's download is this text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["outlet", "title", "tone", "articles", "key_terms"] and len(body) == len(frame)
    assert not [c for c in header if _unsafe(c)]
    for got, (_, want) in zip(body, frame.iterrows()):
        assert len(got) == len(header)
        for cell, value in zip(got[:2], (want["outlet"], want["title"])):
            assert not _unsafe(cell)
            expected = "" if pd.isna(value) else ("'" + value if _unsafe(value) else value)
            assert cell == expected  # neutralised by exactly one apostrophe, nothing else changed
        assert float(got[2]) == pytest.approx(want["tone"]) and int(got[3]) == want["articles"]  # numbers stay numbers


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@settings(max_examples=EXPORT_EXAMPLES, deadline=None)
@given(export_frames())
def test_json_export_is_formula_safe(frame: pd.DataFrame) -> None:
    records = json.loads(to_json(frame))
    assert len(records) == len(frame)
    assert not [s for s in _strings(records) if _unsafe(s)]  # nested lists (key terms) too
    assert [r["tone"] for r in records] == pytest.approx(frame["tone"].tolist())


# --- the importer (whole files) --------------------------------------------------------------------

GOOD_LINE = st.builds(
    lambda n, text, outlet: {"id": f"p-{n}", "outlet": outlet, "url": f"https://prop.example/{n}",
                             "title": "T", "published": "2024-02-03", "text": text},
    st.integers(0, 30), st.text(alphabet="abc xyz.", min_size=1, max_size=40).filter(str.strip),
    st.sampled_from(["A", "B", "=C"]))
BAD_LINE = st.one_of(
    st.text(alphabet='{}[]":,abc 0', max_size=20).filter(lambda s: s.strip() and not _is_object(s)),
    st.just(json.dumps({"id": "bad", "text": ""})),
    st.just(json.dumps({"id": "bad", "text": "x", "published": "1989-12-31"})),
    st.just(json.dumps({"id": "bad", "text": "x", "published": "2999-01-01"})),
    st.just(json.dumps({"id": "bad", "text": "x", "url": "javascript:alert(1)"})),
)


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


@slow(IMPORT_EXAMPLES)
@given(st.lists(st.one_of(GOOD_LINE.map(json.dumps), BAD_LINE), max_size=25))
def test_import_of_mixed_lines_keeps_every_good_line_and_loses_nothing(tmp_path: Path, lines: list[str]) -> None:
    from scrapers.importer import import_files

    db = tmp_path / f"prop-{abs(hash(tuple(lines)))}.db"
    path = tmp_path / f"mixed-{abs(hash(tuple(lines)))}.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store.open(db) as store:
        import_files([path], store)  # a first import ...
        before = store.articles(with_text=True).set_index("id")["content_hash"].to_dict()
        report = import_files([path], store)  # ... and the same file again
        after = store.articles(with_text=True).set_index("id")["content_hash"].to_dict()
    good = [json.loads(line) for line in lines if _is_object(line) and json.loads(line)["id"].startswith("p-")]
    first_of = {record["id"]: record for record in reversed(good)}
    assert after == before and len(after) == len(first_of)  # nothing lost, nothing doubled
    assert report.counts.unchanged == len(first_of)
    assert len(report.rejected) == len(lines) - len(first_of)
    assert all(kind and message for _, _, kind, message in report.rejected)


# --- the JSONL and CSV readers' encodings (BOM, surrogates, depth) ---------------------------------

READER_EXAMPLES = 200
_SURROGATES = re.compile("[\ud800-\udfff]")
# Any text, lone and paired surrogates included (written as \\u escapes: raw surrogates are not UTF-8).
ANY_TEXT = st.text(alphabet=st.one_of(st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)),
                   min_size=1, max_size=30)
READER_LINE = st.one_of(
    st.tuples(st.just("good"), ANY_TEXT, st.booleans()),
    st.tuples(st.just("deep"), st.integers(65, 5000), st.sampled_from("[{")),
    st.tuples(st.just("blank"), st.sampled_from(["", " ", "\t"]), st.just(False)),
)


def _reader_line(kind: str, payload: Any, flag: Any) -> bytes:
    if kind == "good":
        text = json.dumps({"text": payload}, ensure_ascii=flag or bool(_SURROGATES.search(payload)))
        return text.encode("utf-8")
    if kind == "deep":
        opener, closer = (("[", "]") if flag == "[" else ('{"a":', "}"))
        return (opener * payload + "1" + closer * payload).encode()
    return payload.encode()


@settings(max_examples=READER_EXAMPLES, deadline=None)
@given(lines=st.lists(READER_LINE, max_size=12), bom=st.booleans(), crlf=st.booleans(), gz=st.booleans())
def test_jsonl_reader_on_any_encoding(tmp_path_factory: pytest.TempPathFactory, lines: list[tuple[str, Any, Any]],
                                      bom: bool, crlf: bool, gz: bool) -> None:
    """Every good line comes back (lone surrogates as U+FFFD), every too-deep line is named; nothing raises."""
    import gzip

    from core.jsonl import JsonlReader, LineError

    end = b"\r\n" if crlf else b"\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + b"".join(_reader_line(*line) + end for line in lines)
    path = tmp_path_factory.mktemp("reader") / ("in.jsonl.gz" if gz else "in.jsonl")
    path.write_bytes(gzip.compress(data) if gz else data)
    got = dict(JsonlReader(path))
    for number, (kind, payload, _flag) in enumerate(lines, start=1):
        if kind == "blank":
            assert number not in got
        elif kind == "deep":
            assert isinstance(got[number], LineError) and got[number].kind == "too deep", got[number]
        else:
            expected = _SURROGATES.sub("\ufffd", json.loads(json.dumps(payload)))  # json pairs \\ud83d\\ude00
            assert got[number] == {"text": expected}
            expected.encode("utf-8")  # what the content hash needs


@slow(IMPORT_EXAMPLES)
@given(texts=st.lists(ANY_TEXT.filter(str.strip), min_size=1, max_size=8), deep_at=st.integers(0, 8),
       bom=st.booleans())
def test_import_of_any_text_keeps_every_article(tmp_path_factory: pytest.TempPathFactory, texts: list[str],
                                                deep_at: int, bom: bool) -> None:
    """Surrogates, a BOM and a too-deep line among articles: each article stored once, the deep line named."""
    from core.encoding import repair
    from scrapers.importer import import_files

    lines = [json.dumps({"id": f"u-{n}", "outlet": "A", "title": "T", "text": text}) for n, text in enumerate(texts)]
    lines.insert(min(deep_at, len(lines)), "[" * 3000 + "]" * 3000)
    root = tmp_path_factory.mktemp("import")
    path = root / "any.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8") + b"\n")
    with Store.open(root / "s.db") as store:
        report = import_files([path], store)
        stored = store.articles(with_text=True).set_index("source_id")["text"].to_dict()
    kept = {f"u-{n}": _SURROGATES.sub("\ufffd", json.loads(json.dumps(t))).strip() for n, t in enumerate(texts)}
    kept = {k: repair(v) for k, v in kept.items() if v}  # mojibake repaired (core.encoding), the rest as given
    assert stored == kept
    assert [(line, kind) for _, line, kind, _ in report.rejected if kind == "too deep"] == [
        (min(deep_at, len(texts)) + 1, "too deep")]


@settings(max_examples=READER_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(min_size=1, max_size=30).filter(str.strip), min_size=1, max_size=6),
       bom=st.booleans())
def test_csv_header_with_or_without_bom_reads_the_id_column(tmp_path_factory: pytest.TempPathFactory,
                                                            texts: list[str], bom: bool) -> None:
    from scrapers.importer import read_records

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["id", "outlet", "text"])
    writer.writerows([f"c-{n}", "A", text] for n, text in enumerate(texts))
    path = tmp_path_factory.mktemp("csv") / "in.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))
    records = [record for _, record in read_records(path)]
    assert [r["id"] for r in records] == [f"c-{n}" for n in range(len(texts))]
    assert all("\ufeffid" not in r for r in records)
