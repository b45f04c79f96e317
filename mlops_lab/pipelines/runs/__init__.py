"""Pipeline runs: a notebook executed by papermill as a queued, tracked run (service), the
queue and worker processes (executor, worker), and what a run is made of (notebooks, parameters,
environment)."""
