"""Sweeps: a notebook run as a pipeline run for each point of a grid or random search."""
