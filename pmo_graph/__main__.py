"""``python -m pmo_graph``: the command line."""

from pmo_graph.cli import main

main()
