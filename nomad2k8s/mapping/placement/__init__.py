"""Where pods run: constraints, affinities, spreads and devices."""
