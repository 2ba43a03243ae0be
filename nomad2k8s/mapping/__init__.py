"""Mappers by concept (core, workload, networking, storage, config, placement, passes). Each package
declares its transform rows in its rows.py (concept, scope, mapper, `after` dependencies; kept out of
__init__.py so importing one module does not import a whole package); `core/registry.py` puts them in
one order and tests/test_registry.py checks that order against the declared dependencies."""
