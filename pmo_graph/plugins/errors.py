"""The error raised when a plugin cannot be loaded."""

from __future__ import annotations


class PluginLoadError(RuntimeError):
    """A plugin could not be loaded; the message names the plugin and says what to do.

    ``plugin`` is the registered name of the plugin to blame, when one is; an operator may
    skip that plugin instead of stopping (``PMO_GRAPH_SKIP_BROKEN_PLUGINS``).
    """

    def __init__(self, message: str, *, plugin: str | None = None) -> None:
        super().__init__(message)
        self.plugin = plugin
