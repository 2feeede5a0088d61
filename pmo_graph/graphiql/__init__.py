"""GraphiQL served from the package: pinned assets, our own page and its security headers.

The page (``page``) loads only files this package serves (``assets``, at ``routes.ASSET_PATH``),
so GraphiQL opens on a network without any CDN, under a Content-Security-Policy that forbids
inline scripts and every other origin. ``scripts/update_graphiql.py`` re-fetches the pins.
"""
