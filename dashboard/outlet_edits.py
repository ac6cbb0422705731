"""The Outlets page's edits, as pure functions: which cells changed, as overrides for the user's outlets file.

>>> before = pd.DataFrame({"outlet": ["A", "B"], "table_name": ["A", ""], "country": ["unknown", "US"],
...                        "type": ["wire", "unknown"], "language": ["en", "en"], "ownership": ["unknown", "X"]})
>>> after = before.assign(country=["KE", "US"], type=["wire", "blog_newsletter"])
>>> changes(before, after)
[('A', {'country': 'KE'}), ('B', {'type': 'blog_newsletter'})]
"""

from __future__ import annotations

import pandas as pd

from core.outlet_profiles import UNKNOWN

# The fields an analyst may correct on the page; the rest (counts, hosts, region) follow from them.
EDITABLE = ("country", "type", "language", "ownership")


def _value(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    return "" if text == UNKNOWN else text


def changes(before: pd.DataFrame, after: pd.DataFrame) -> list[tuple[str, dict[str, str]]]:
    """Return ``(outlets-file name, {field: value})`` for every row whose editable fields changed.

    A row is named by the outlets-file entry it matched (``table_name``), else by the outlet's own
    name (a new entry). ``unknown`` or an empty cell clears the field back to "not known"; country
    codes are upper-cased and language codes lower-cased.
    """
    found = []
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows()):
        edit = {}
        for field in EDITABLE:
            value = _value(new.get(field))
            value = value.upper() if field == "country" else value.lower() if field == "language" else value
            if value != _value(old.get(field)):
                edit[field] = value
        if edit:
            name = old.get("table_name") if isinstance(old.get("table_name"), str) and old.get("table_name") else None
            found.append((name or str(old["outlet"]), edit))
    return found
