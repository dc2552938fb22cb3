"""torch and back: import an nn.Module as a network, export a network as a module or source."""
