"""PressLens analysis package."""
