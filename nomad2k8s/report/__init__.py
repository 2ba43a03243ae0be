"""Reports are rendered from the ledger only."""
