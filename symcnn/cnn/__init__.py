"""Layers, networks, memory, receptive fields and the summary data."""
