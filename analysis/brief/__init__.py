""""What the papers say": per-outlet statements with citations (build) and their Markdown (render)."""
