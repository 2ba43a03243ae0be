"""Passes over the built pod and objects once the concept mappers have run."""
