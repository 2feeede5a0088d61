"""The one ``<style>`` element GraphiQL inserts, and the CSP source that admits it alone.

GraphiQL's dialogs (settings, keyboard shortcuts) lock the page's scrolling with
``react-remove-scroll-bar``, which inserts this element when a dialog opens. Its text depends only
on the page's scrollbar gap and body margins, both zero on our page (no margins, nothing to
scroll), so one hash admits it and ``style-src`` needs no ``'unsafe-inline'``. After an update of
the pinned GraphiQL the browser test (tests/test_graphiql_browser.py) reports a CSP violation,
with the new hash, if the text changed.
"""

from __future__ import annotations

import base64
import hashlib

SCROLL_LOCK_STYLE = "\n".join(
    # Line by line, blank lines' indentation included: the hash is of the exact text.
    (
        "",
        "  .with-scroll-bars-hidden {",
        "   overflow: hidden !important;",
        "   padding-right: 0px !important;",
        "  }",
        "  body {",
        "    overflow: hidden !important;",
        "    overscroll-behavior: contain;",
        "    position: relative !important;",
        "    padding-left: 0px;",
        "    padding-top: 0px;",
        "    padding-right: 0px;",
        "    margin-left:0;",
        "    margin-top:0;",
        "    margin-right: 0px !important;",
        "    ",
        "  }",
        "  ",
        "  .right-scroll-bar-position {",
        "    right: 0px !important;",
        "  }",
        "  ",
        "  .width-before-scroll-bar {",
        "    margin-right: 0px !important;",
        "  }",
        "  ",
        "  .right-scroll-bar-position .right-scroll-bar-position {",
        "    right: 0 !important;",
        "  }",
        "  ",
        "  .width-before-scroll-bar .width-before-scroll-bar {",
        "    margin-right: 0 !important;",
        "  }",
        "  ",
        "  body {",
        "    --removed-body-scroll-bar-size: 0px;",
        "  }",
        "",
    )
)


def hash_source(text: str) -> str:
    """The CSP source (``'sha256-…'``) that admits an inline element of exactly ``text``."""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    return f"'sha256-{digest}'"


#: ``style-src`` sources for GraphiQL's inserted styles.
INLINE_STYLE_SOURCES = (hash_source(SCROLL_LOCK_STYLE),)
