"""Discovery: candidates from feeds, sitemaps, GDELT, URL lists and story files (sources, candidates, sitemaps,
gdelt).
"""
