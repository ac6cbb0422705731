"""PressLens scrapers package."""
