"""Programmes: coherent sets of projects with a common vision."""
