"""Reading the TOML files a user edits (outlets, story files, the demo's sources, frame sets, facets).

One reader, one error: a file that cannot be read or is not TOML is an InputError naming the file.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.toml"
>>> _ = p.write_text('name = "x"\\n', encoding="utf-8")
>>> read_toml(p, "story file")
{'name': 'x'}
>>> _ = p.write_text('name = \\n', encoding="utf-8")
>>> read_toml(p, "story file")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
core.errors.InputError: ...x.toml: cannot read the story file: not valid TOML: ...
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from core.errors import InputError


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Return the TOML file at ``path`` (a ``what``: "outlets file", "story file" ...) as a dict."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the {what}: {exc}", source=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot read the {what}: not valid TOML: {exc}", source=str(path)) from None
