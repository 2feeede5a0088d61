"""Persisted documents: a request names its GraphQL document instead of sending it.

Two modes, resolved once at the HTTP layer (and for each WebSocket ``subscribe``) before
anything else reads the request, so that from then on a persisted request is the request its
text would have been:

- automatic persisted queries (``apq``): Apollo's ``extensions.persistedQuery`` protocol, a
  bounded store of documents per process that clients fill themselves;
- trusted documents (``manifest``): with ``PMO_GRAPH_TRUSTED_DOCUMENTS``, only the documents of
  a manifest written at build time run, and nothing can be registered.

``resolver`` decides what a request's parameters become; ``http`` applies that to a request.
"""
