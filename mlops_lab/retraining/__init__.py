"""Continuous training: retraining rules tie a trigger (a monitor's alert, a schedule, a new
snapshot of a dataset) to a notebook pipeline and a gate; a pass moves the alias."""
