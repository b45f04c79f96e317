"""Pipelines: notebooks run with papermill as pipeline runs, one part per folder.

    runs/       a pipeline run: queued, claimed by a worker process, executed, ended (lifecycle)
    schedules/  cron schedules and the scheduler loop that fires them
    dags/       DAGs of notebooks from a pipeline file
    sweeps/     one pipeline run per point of a parameter grid or random search
    reproduce/  a pipeline run executed again and compared with the first

`mlops_lab.pipelines.api` is the public Python API (`import mlops_lab as ml`)."""
