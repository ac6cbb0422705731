"""Root pytest configuration: modules that only run inside Streamlit are not imported for doctests."""

collect_ignore = ["dashboard/app.py", "dashboard/app_pages", "benchmarks", "data"]
