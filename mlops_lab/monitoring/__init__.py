"""Monitoring: drift of the data a model sees, its monitors and alerts."""
