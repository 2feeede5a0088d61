"""The composed types of the running schema, filled by ``pmo_graph.graphql.schema`` at build time.

Every reference to a type that plugins may extend goes through a lazy annotation into this
module (see ``pmo_graph.graphql.refs``), so that it resolves to the merged class: the core type
plus every plugin's fields.
"""
