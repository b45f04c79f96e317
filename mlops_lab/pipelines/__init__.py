"""Pipelines: notebooks run with papermill as pipeline runs, cron schedules, reproduction."""
