"""Tables leaving PressLens (CSV, JSON, plain text) are safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage
return) would run as a formula in Excel, LibreOffice or Google Sheets; such cells
get a leading apostrophe. Numbers stay numbers.

>>> formula_safe(pd.DataFrame({"outlet": ["=HYPERLINK(1)", "NYT"], "tone": [-0.5, 0.1]}))["outlet"].tolist()
["'=HYPERLINK(1)", 'NYT']
"""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return a text cell neutralised against formula injection; other values unchanged.

    Lists, tuples and dicts (key terms, labels) are neutralised item by item, so a JSON
    export that a converter flattens into cells is safe too.

    >>> safe_cell("-1"), safe_cell(-1), safe_cell(["@SUM(A1)", "ok"])
    ("'-1", -1, ["'@SUM(A1)", 'ok'])
    """
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, list):
        return [safe_cell(item) for item in value]
    if isinstance(value, tuple):
        return tuple(safe_cell(item) for item in value)
    if isinstance(value, dict):
        return {safe_cell(key): safe_cell(item) for key, item in value.items()}
    return value


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(safe_cell)
    safe.columns = [safe_cell(str(c)) for c in safe.columns]
    return safe


def to_csv(frame: pd.DataFrame) -> str:
    """Return formula-safe CSV text (RFC 4180: CRLF rows, so a cell holding a bare CR is quoted).

    With ``\\n`` rows a bare carriage return inside a cell went out unquoted, and spreadsheets
    start a new row there: ``"x\\r=HYPERLINK(...)"`` smuggled a formula past the first-character check.

    >>> to_csv(pd.DataFrame({"title": ["x\\r=1"]})).split("\\r\\n")
    ['title', '"x\\r=1"', '']
    """
    return formula_safe(frame).to_csv(index=False, lineterminator="\r\n")


def to_json(frame: pd.DataFrame) -> str:
    """Return formula-safe JSON (a list of records; NaN as null)."""
    records = formula_safe(frame).to_dict("records")
    clean = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in records]
    return json.dumps(clean, ensure_ascii=False, indent=2, default=str)


def to_table(frame: pd.DataFrame) -> str:
    """Return an aligned plain-text table."""
    if frame.empty:
        return "(no rows)"
    return formula_safe(frame).to_string(index=False, na_rep="")
