"""Reproduce a pipeline run and compare what both runs recorded."""
