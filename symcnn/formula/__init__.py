"""Notation, the restricted parser, formula trees, evaluation, printers, derivations, equality.

No CNN knowledge: everything here works on sympy expressions and symcnn's notation."""
