"""pmo-graph: a GraphQL backend for project, portfolio and programme offices."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pmo-graph")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

#: The version of the plugin API: hook names, signatures and the helpers plugins import.
#: A plugin declares the range it supports; see docs/writing_plugins.md.
PLUGIN_API_VERSION = "1.3"

__all__ = ["PLUGIN_API_VERSION", "__version__"]
