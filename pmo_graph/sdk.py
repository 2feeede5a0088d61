"""The plugin SDK: the one module a pmo-graph plugin imports.

Everything a tier or any other plugin needs from the core is here, under one name, versioned by
``PLUGIN_API`` and documented with its signature in docs/plugin_hooks.md ("The SDK"). A plugin
imports ``from pmo_graph.sdk import ...`` and nothing else of ``pmo_graph``, except
``pmo_graph.testing`` (the pytest plugin) in its tests. The names keep their meaning for every
plugin API version ``1.x``; where they live inside the core is not part of the API.

The core never imports this module: it is the top layer, for plugins and docs only.
"""

from __future__ import annotations

from pmo_graph import PLUGIN_API_VERSION
from pmo_graph.auth.models import User
from pmo_graph.auth.permissions import (
    ADMIN,
    MANAGERS,
    OFFICE,
    PORTFOLIO_MANAGER,
    PROGRAMME_DIRECTOR,
    PROJECT_MANAGER,
    VIEWER,
    Permission,
    authorize,
    permission,
    permission_for,
)
from pmo_graph.auth.roles import Role
from pmo_graph.auth.tokens import authenticate
from pmo_graph.canonical import canonical_text
from pmo_graph.computations import compute
from pmo_graph.db import Base, TenantMixin, TimestampMixin, VersionedMixin, id_column
from pmo_graph.db.functions import day_number, greatest, least
from pmo_graph.db.integrity import unique
from pmo_graph.db.locks import Lock, ensure_row, lock_row
from pmo_graph.db.reader import Reader
from pmo_graph.db.types import BigId, Money, UTCDateTime, today, utcnow
from pmo_graph.deadlines import checkpoint
from pmo_graph.enums import described_enum
from pmo_graph.errors import BadUserInput, Forbidden, NotFound
from pmo_graph.events import DomainEvent, EventType
from pmo_graph.graphql.compiled.specs import (
    SqlCondition,
    field_spec,
    search_condition,
    sql_connection,
    sql_list,
    sql_one,
    sql_value,
)
from pmo_graph.graphql.cost import LIST_ESTIMATE, work_cost
from pmo_graph.graphql.gates import PermissionGate
from pmo_graph.graphql.mutations import run_mutation
from pmo_graph.graphql.nodes import ModelNode
from pmo_graph.graphql.pagination import (
    Connection,
    Ordering,
    list_size,
    page_args,
    paginate,
    paginate_children,
)
from pmo_graph.graphql.payloads import (
    CONFLICT,
    CYCLE,
    DUPLICATE,
    INVALID,
    NOT_FOUND,
    OVER_ATTRIBUTED,
    UserError,
    UserErrors,
    user_error,
)
from pmo_graph.graphql.refs import (
    AuditEventRef,
    OrganisationRef,
    PersonRef,
    PortfolioRef,
    ProgrammeRef,
    ProjectRef,
    UserRef,
    composed_type,
)
from pmo_graph.graphql.resolvers import load_by_id, load_parent
from pmo_graph.graphql.tiers import field_tier, tier_field, tier_mutation
from pmo_graph.graphql.user_error_codes import UserErrorCodeSpec
from pmo_graph.graphql.validation import MAX_MONEY, Checks, is_set, money_argument
from pmo_graph.ids import parse_pk, to_global_id
from pmo_graph.maturity.core_model import share
from pmo_graph.maturity.demo import answer_demo_assessments
from pmo_graph.maturity.model import Evidence, Measure, MeasureInput, Perspective, Question
from pmo_graph.organisations.models import Organisation
from pmo_graph.organisations.queries import ViewerRef
from pmo_graph.people.models import Person
from pmo_graph.people.mutations import PersonPayload
from pmo_graph.plugins import Manifest, Tier, hookimpl
from pmo_graph.plugins.lifecycle import PluginApp
from pmo_graph.portfolios.models import Portfolio
from pmo_graph.portfolios.mutations import PortfolioPayload
from pmo_graph.programmes.models import Programme
from pmo_graph.projects.codes import check_code
from pmo_graph.projects.enums import ProjectStage
from pmo_graph.projects.models import Project
from pmo_graph.projects.mutations import ProjectPayload, load_project_for_write, project_values
from pmo_graph.realtime.notices import Notice
from pmo_graph.realtime.subscriptions import domain_events, scope_argument, tier_subscription
from pmo_graph.realtime.types import EventFields
from pmo_graph.request.context import Context, get_context
from pmo_graph.request.loaders import Loaders, tenant_filter
from pmo_graph.request.rows import Rows
from pmo_graph.request.transaction import Transaction, diff, json_value, snapshot
from pmo_graph.request.viewer import Viewer
from pmo_graph.standards import (
    CheckInput,
    CheckResult,
    InstalledStandard,
    Severity,
    Standard,
    evaluate,
)
from pmo_graph.standards_graphql import StandardType
from pmo_graph.values import FIRST_DATE, LAST_DATE, add_days

#: The plugin API version this SDK provides (``pmo_graph.PLUGIN_API_VERSION``). A plugin declares
#: the range it supports as its own ``PLUGIN_API`` specifier, e.g. ``">=1.0,<2"``.
PLUGIN_API = PLUGIN_API_VERSION

#: The core row models a plugin may read (their columns are documented in docs/plugin_hooks.md).
ROW_MODELS = (Organisation, User, Person, Portfolio, Programme, Project)

__all__ = [  # noqa: RUF022 - grouped by role, in the order docs/plugin_hooks.md lists them
    # Version
    "PLUGIN_API",
    # Hooks and tiers
    "Manifest",
    "PluginApp",
    "Tier",
    "field_tier",
    "hookimpl",
    "tier_field",
    "tier_mutation",
    # Standards
    "CheckInput",
    "CheckResult",
    "InstalledStandard",
    "Severity",
    "Standard",
    "StandardType",
    "evaluate",
    # Maturity measures and questions
    "Evidence",
    "Measure",
    "MeasureInput",
    "Perspective",
    "Question",
    "answer_demo_assessments",
    "share",
    # Domain events
    "DomainEvent",
    "EventType",
    # The unit of work and its audit
    "Transaction",
    "Rows",
    "diff",
    "json_value",
    "run_mutation",
    "snapshot",
    # Validation
    "FIRST_DATE",
    "LAST_DATE",
    "MAX_MONEY",
    "Checks",
    "add_days",
    "canonical_text",
    "check_code",
    "is_set",
    "money_argument",
    # Payloads and errors
    "CONFLICT",
    "CYCLE",
    "DUPLICATE",
    "INVALID",
    "NOT_FOUND",
    "OVER_ATTRIBUTED",
    "BadUserInput",
    "Forbidden",
    "NotFound",
    "UserError",
    "UserErrorCodeSpec",
    "UserErrors",
    "user_error",
    # Global ids
    "parse_pk",
    "to_global_id",
    # The request context and loaders
    "Context",
    "Loaders",
    "Viewer",
    "get_context",
    "load_by_id",
    "load_parent",
    "tenant_filter",
    # Permissions and roles
    "ADMIN",
    "MANAGERS",
    "OFFICE",
    "PORTFOLIO_MANAGER",
    "PROGRAMME_DIRECTOR",
    "PROJECT_MANAGER",
    "VIEWER",
    "Permission",
    "PermissionGate",
    "Role",
    "authenticate",
    "authorize",
    "permission_for",
    "permission",
    # GraphQL kit: nodes, pagination, refs, cost, computations
    "LIST_ESTIMATE",
    "AuditEventRef",
    "Connection",
    "ModelNode",
    "Ordering",
    "OrganisationRef",
    "PersonRef",
    "PortfolioRef",
    "ProgrammeRef",
    "ProjectRef",
    "UserRef",
    "ViewerRef",
    "checkpoint",
    "composed_type",
    "compute",
    "described_enum",
    "page_args",
    "list_size",
    "paginate",
    "paginate_children",
    "work_cost",
    # Real time
    "EventFields",
    "Notice",
    "domain_events",
    "scope_argument",
    "tier_subscription",
    # Core rows, their enums and payloads
    "ROW_MODELS",
    "Organisation",
    "Person",
    "PersonPayload",
    "Portfolio",
    "PortfolioPayload",
    "Programme",
    "Project",
    "ProjectPayload",
    "ProjectStage",
    "User",
    "load_project_for_write",
    "project_values",
    # Tables: the declarative base, mixins and column types
    "Base",
    "BigId",
    "Money",
    "TenantMixin",
    "TimestampMixin",
    "UTCDateTime",
    "VersionedMixin",
    "id_column",
    "utcnow",
    # Database helpers
    "Lock",
    "Reader",
    "day_number",
    "ensure_row",
    "greatest",
    "least",
    "lock_row",
    "today",
    "unique",
    # The compiled SQL path
    "SqlCondition",
    "field_spec",
    "search_condition",
    "sql_connection",
    "sql_list",
    "sql_one",
    "sql_value",
]
