"""The TOML readers: network specs, assignments and claims."""
