"""PressLens dashboard.app_pages package."""
