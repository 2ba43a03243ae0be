"""Mappers: one module per Nomad concept, registered in `registry.TRANSFORMS`."""
