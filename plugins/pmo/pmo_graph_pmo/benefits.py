"""Benefits management, as the plugin registers it: benefits and dis-benefits, their
measurements and forecasts, who contributes to them, the objectives they serve, and the
programme's summary and map.

Each idea has its module; this one names what the plugin and earlier imports use:
``benefit_types`` (the object types), ``benefit_measurements`` (the one reader of
measurements, and the realisation's SQL), ``benefit_programme`` (the fields on programmes and
projects: summary and map), ``benefit_inputs`` (inputs and payloads), ``benefit_mutations``
(the mutations), ``measure`` (the pure arithmetic and its rounding).
"""

from __future__ import annotations

from pmo_graph_pmo.benefit_inputs import (
    BenefitPayload,
    CreateBenefitInput,
    CreateObjectiveInput,
    LinkBenefitContributionInput,
    LinkBenefitObjectiveInput,
    ObjectivePayload,
    RecordBenefitMeasurementInput,
)
from pmo_graph_pmo.benefit_measurements import (
    MEASUREMENT_ORDER,
    REALISATION_SQL,
    benefit_status,
    measurement_sums,
)
from pmo_graph_pmo.benefit_mutations import SHARE_TOLERANCE, BenefitMutation
from pmo_graph_pmo.benefit_programme import (
    BenefitProgrammeFields,
    BenefitProjectFields,
    BenefitsMap,
    BenefitsSummary,
    MapEdge,
    MapNode,
    benefits_map,
    programme_benefits,
    summary,
)
from pmo_graph_pmo.benefit_types import (
    BenefitContributionType,
    BenefitMeasurementType,
    BenefitType,
    ObjectiveType,
)

__all__ = [
    "MEASUREMENT_ORDER",
    "REALISATION_SQL",
    "SHARE_TOLERANCE",
    "BenefitContributionType",
    "BenefitMeasurementType",
    "BenefitMutation",
    "BenefitPayload",
    "BenefitProgrammeFields",
    "BenefitProjectFields",
    "BenefitType",
    "BenefitsMap",
    "BenefitsSummary",
    "CreateBenefitInput",
    "CreateObjectiveInput",
    "LinkBenefitContributionInput",
    "LinkBenefitObjectiveInput",
    "MapEdge",
    "MapNode",
    "ObjectivePayload",
    "ObjectiveType",
    "RecordBenefitMeasurementInput",
    "benefit_status",
    "benefits_map",
    "measurement_sums",
    "programme_benefits",
    "summary",
]
