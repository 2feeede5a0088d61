"""The `lessons` tier: a P3O centre-of-excellence lessons-learned log, as a pmo-graph plugin."""
