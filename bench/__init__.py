"""The benchmark: pmo-graph side by side with its peers on the same data (see docs/performance.md).

Run it with ``python -m bench`` (``--help`` for the options); it is not part of the test suite.
"""
