"""The checker: a student's claims, their verdicts and the diagnosis of each mistake."""
