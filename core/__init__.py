"""PressLens core: the schema, the store, settings and errors shared by every layer."""

import os

# tldextract (used by newspaper3k and by outlet lookup) downloads the public-suffix list on first
# use unless this is set; its module-level extractor reads it at import. PressLens never touches
# the network at import time, so every entry point imports core first.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
