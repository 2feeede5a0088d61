"""Tier 3: the programme management office (PMO): a pmo-graph plugin."""
