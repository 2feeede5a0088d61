"""Organisations (tenants) and the tiers each has switched on."""
