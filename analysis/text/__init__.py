"""Text helpers shared by the scorers and the digest: sentence spans, citations, speaker roles."""
