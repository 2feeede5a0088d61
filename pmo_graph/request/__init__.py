"""The request layer: the per-request context and viewer, loaders, the unit of work, and the
``App`` protocol of what a request may use of its app."""
