"""The one JSONL reader: bounded lines, bounded depth, surrogates repaired, BOM accepted, truncation kept."""

from __future__ import annotations

import gzip
import json
import resource
from pathlib import Path

import pytest

from core.errors import InputError
from core.jsonl import SURROGATE_WARNING, JsonlLimits, JsonlReader, LineError, read_objects
from core.store import Store
from scrapers.importer import import_files


def _line(n: int, **over: object) -> str:
    return json.dumps({"id": f"r-{n}", "outlet": "X", "url": f"https://x.example/{n}", "title": "T",
                       "text": "Some text.", **over})


def _read(path: Path, limits: JsonlLimits = JsonlLimits()) -> tuple[list[tuple[int, object]], JsonlReader]:
    reader = JsonlReader(path, limits)
    return list(reader), reader


def test_deep_nesting_is_rejected_by_line_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(_line(1) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n" + _line(3) + "\n", encoding="utf-8")
    rows, _ = _read(path)
    assert [n for n, _ in rows] == [1, 2, 3]
    assert isinstance(rows[1][1], LineError) and rows[1][1].kind == "too deep"
    assert rows[2][1]["id"] == "r-3"  # type: ignore[index]


def test_depth_setting_is_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps({"a": {"b": {"c": 1}}}) + "\n", encoding="utf-8")
    assert not isinstance(_read(path, JsonlLimits(max_depth=3))[0][0][1], LineError)
    error = _read(path, JsonlLimits(max_depth=2))[0][0][1]
    assert isinstance(error, LineError) and "deeper than 2" in str(error)


def test_lone_surrogates_are_replaced_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(_line(1, text="bad \\ud800 half", title="\\uDFFF").replace("\\\\u", "\\u") + "\n"
                    + _line(2, text="pair \\ud83d\\ude00 fine").replace("\\\\u", "\\u") + "\n", encoding="utf-8")
    rows, reader = _read(path)
    assert rows[0][1]["text"] == "bad \ufffd half" and rows[0][1]["title"] == "\ufffd"  # type: ignore[index]
    assert rows[1][1]["text"] == "pair \U0001F600 fine"  # type: ignore[index]
    assert reader.warnings == {SURROGATE_WARNING: 2}


def test_a_byte_order_mark_on_line_one_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + _line(1).encode() + b"\n" + _line(2).encode() + b"\n")
    rows, _ = _read(path)
    assert [r["id"] for _, r in rows] == ["r-1", "r-2"]  # type: ignore[index]


def test_an_over_long_line_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    """A 200 MB line without a newline inside a .gz: rejected by number, the next line read, memory flat."""
    path = tmp_path / "long.jsonl.gz"
    chunk = b"x" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as out:
        out.write(_line(1).encode() + b"\n" + b'{"text": "')
        for _ in range(200):
            out.write(chunk)
        out.write(b'"}\n' + _line(3).encode() + b"\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows, _ = _read(path, JsonlLimits(max_line_bytes=1 << 20))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert [n for n, _ in rows] == [1, 2, 3]
    assert isinstance(rows[1][1], LineError) and rows[1][1].kind == "line too long"
    assert rows[2][1]["id"] == "r-3"  # type: ignore[index]
    assert grown_mb < 50, grown_mb


def test_truncated_gzip_yields_the_lines_before_the_break(tmp_path: Path) -> None:
    whole = gzip.compress("".join(_line(n) + "\n" for n in range(1, 500)).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    rows, reader = _read(path)
    assert 0 < len(rows) < 499 and reader.truncated is not None
    assert str(reader.truncated).startswith(f"{path}:{len(rows) + 1}: the file is truncated")
    with pytest.raises(InputError, match="truncated"):
        list(read_objects(path))


def test_strict_reader_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(_line(1) + "\n\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl:3: invalid JSON: .* at column 2$"):
        list(read_objects(path))
    with pytest.raises(InputError, match=r"absent\.jsonl: no such file"):
        list(read_objects(tmp_path / "absent.jsonl"))


def test_import_of_hostile_lines_stores_every_good_line(tmp_path: Path) -> None:
    """Deep nesting, a lone surrogate, a BOM and an over-long article among good lines: all good lines stored."""
    path = tmp_path / "mixed.jsonl"
    lines = [_line(1), "[" * 100_000 + "]" * 100_000, _line(3, text="half \\ud800 of an emoji").replace("\\\\u", "\\u"),
             _line(4, text="y" * 5000), _line(5)]
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    from core.settings import Settings
    with Store.open(tmp_path / "s.db") as store:
        report = import_files([path], store, settings=Settings(max_article_chars=4000))
        ids = set(store.articles()["source_id"])
    assert ids == {"r-1", "r-3", "r-5"}
    assert sorted((line, kind) for _, line, kind, _ in report.rejected) == [(2, "too deep"), (4, "article too long")]
    assert report.warnings[SURROGATE_WARNING] == 1


def test_csv_header_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,outlet,title,text\r\nc-1,X,T,Body text.\r\n")
    with Store.open(tmp_path / "s.db") as store:
        report = import_files([path], store)
        assert report.counts.inserted == 1
        assert list(store.articles()["source_id"]) == ["c-1"]  # the id column was read, not `\ufeffid`


def test_csv_lines_are_bounded_too(tmp_path: Path) -> None:
    """A CSV line longer than max_line_bytes stops the file with its line number; the rows before it are kept."""
    from core.settings import Settings

    path = tmp_path / "long.csv"
    path.write_bytes(b"id,outlet,text\r\nc-1,X,Fine.\r\nc-2,X," + b"y" * (3 << 20) + b"\r\nc-3,X,Never read.\r\n")
    with Store.open(tmp_path / "s.db") as store:
        with pytest.raises(InputError, match=r"long\.csv:3: line longer than 1,048,576 bytes"):
            import_files([path], store, settings=Settings(max_line_bytes=1 << 20))
        assert list(store.articles()["source_id"]) == ["c-1"]


def test_a_truncated_csv_gz_is_one_input_error(tmp_path: Path) -> None:
    whole = gzip.compress(b"id,outlet,text\n" + b"".join(b"c-%d,X,Body %d.\n" % (n, n) for n in range(3000)))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with Store.open(tmp_path / "s.db") as store:
        with pytest.raises(InputError, match=r"cut\.csv\.gz:\d+: the file is truncated"):
            import_files([path], store)
        assert store.count("articles") > 0
