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
    """Return a text cell neutralised against formula injection; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
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
    """Return formula-safe CSV text."""
    return formula_safe(frame).to_csv(index=False)


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
