"""An assignment's worked solution: every answer with its steps."""
