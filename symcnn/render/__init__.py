"""Presenting: Markdown, LaTeX and PDF documents, figures, terminal tables, notebook displays."""
