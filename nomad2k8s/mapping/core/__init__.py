"""What every mapper shares: the contexts, the ordered transform table, Nomad value readers,
runtime interpolation, pod edits and the table of settings with no mapping."""
