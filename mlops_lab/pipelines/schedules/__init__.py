"""Schedules: cron rules that run a notebook (service) and the loop that fires them (scheduler)."""
