"""The compiled path: a query answered by one SQL statement that builds its JSON.

``specs`` declares how fields read in SQL, ``compiler`` turns a selection into the statement,
``extension`` answers with it before any resolver runs. See docs/performance.md.
"""
