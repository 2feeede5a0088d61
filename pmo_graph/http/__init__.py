"""The HTTP surface around the GraphQL endpoint: middleware and health checks."""
