"""The route serving GraphiQL's assets, cacheable for good and never content-sniffed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from pmo_graph.graphiql.assets import served_assets
from pmo_graph.graphiql.page import NOSNIFF

ASSET_PATH = "/graphiql/static/{name}"
#: Asset addresses carry their content's digest (``?v=``), so a browser may keep them a year.
CACHE_FOREVER = "public, max-age=31536000, immutable"


async def serve_asset(request: Request) -> Response:
    """One asset of the GraphiQL page, by name; 404 for any other name."""
    asset = served_assets().get(request.path_params["name"])
    if asset is None:
        return PlainTextResponse("No such GraphiQL asset.", status_code=404, headers=NOSNIFF)
    return FileResponse(
        asset.path,
        media_type=asset.media_type,
        headers={"Cache-Control": CACHE_FOREVER, **NOSNIFF},
    )


def asset_routes() -> list[Route]:
    """The routes to add when GraphiQL is on."""
    return [Route(ASSET_PATH, serve_asset, methods=["GET", "HEAD"])]
