"""A plugin used by the core's tests: a tier, a table with its own migration, a field on Project,
a mutation and an event handler, all through the public plugin hooks."""
