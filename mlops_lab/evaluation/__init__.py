"""Model evaluation: gates (challenger against champion, with a statistical test on the same
labelled rows) and benchmarks (a leaderboard of versions with intervals)."""
