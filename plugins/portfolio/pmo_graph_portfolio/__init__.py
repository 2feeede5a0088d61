"""Tier 2: the portfolio support office: a pmo-graph plugin."""
