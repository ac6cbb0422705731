"""The story digest: its data model (model), sections (sections, figures, descriptions, related), assembly
(build) and Markdown/HTML (render).
"""
