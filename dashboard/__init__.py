"""PressLens dashboard package."""
