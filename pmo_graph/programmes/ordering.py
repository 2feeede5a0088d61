"""The order programmes page in."""

from pmo_graph.graphql.pagination import Ordering
from pmo_graph.programmes.models import Programme

PROGRAMME_ORDER = Ordering((Programme.name, Programme.id))
