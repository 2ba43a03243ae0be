"""Passes over the built pod and objects once the concept mappers have run (served, pod-cleanup), and
the batch pass over every job converted together (batch_upstreams, with the pending-message format
in pending.py). Rows: rows.py. Kept free of imports: runtime and templates import pending.py."""
