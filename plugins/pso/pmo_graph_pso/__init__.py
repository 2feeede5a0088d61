"""Tier 1: the project support office (PSO): a pmo-graph plugin."""
