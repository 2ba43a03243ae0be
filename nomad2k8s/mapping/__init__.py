"""Mappers by concept (core, workload, networking, storage, config, placement, passes); the
ordered table of their transforms is `core/registry.py`."""
