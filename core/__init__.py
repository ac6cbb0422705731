"""PressLens core package."""
