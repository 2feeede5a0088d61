"""Typed settings read from ``PMO_GRAPH_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./pmo_graph.sqlite3"
#: uvicorn's HTTP/1.1 parsers: ``auto`` is httptools (a dependency of pmo-graph), else h11.
HttpParser = Literal["auto", "httptools", "h11"]


class Settings(BaseSettings):
    """Every knob of a pmo-graph process; each field is ``PMO_GRAPH_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="PMO_GRAPH_", frozen=True, extra="ignore")

    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db.",
    )
    database_schema: str | None = Field(
        default=None,
        description="PostgreSQL schema to use (search_path); the default is the user's own.",
    )
    listener_database_url: str | None = Field(
        default=None,
        description="PostgreSQL: the URL of each process's one long-lived connection (LISTEN "
        "for notices, coordination); defaults to database_url. Point it at PostgreSQL itself "
        "when the pool goes through PgBouncer in transaction mode.",
    )
    database_pooling: Literal["session", "transaction"] = Field(
        default="session",
        description="PostgreSQL: what one of the pool's connections is. 'session': a server "
        "connection of its own (PostgreSQL itself, or PgBouncer in session mode), which keeps "
        "the request's organisation for row-level security from one transaction to the next. "
        "'transaction': PgBouncer in transaction mode, which may hand each transaction to "
        "another server connection, so every statement runs in a transaction and each "
        "transaction sets the organisation for itself.",
    )
    database_statement_cache: bool = Field(
        default=True,
        description="PostgreSQL: keep each connection's prepared statements for reuse. Turn "
        "it off behind a pooler that cannot follow prepared statements across its server "
        "connections (PgBouncer before 1.21, or without max_prepared_statements, in "
        "transaction mode): each statement is then prepared under a name of its own.",
    )
    database_jit: bool = Field(
        default=False,
        description="PostgreSQL: let the server compile pmo-graph's statements to machine code "
        "(its 'jit' setting) when it plans them as costly. Off by default, on pmo-graph's own "
        "connections only: the compiled reads are planned as costly yet run in milliseconds, "
        "and compiling them took longer than it saved (docs/performance.md).",
    )
    pool_size: int = Field(default=15, ge=1, le=200, description="Connections per process.")
    app_role: str | None = Field(
        default=None,
        description="PostgreSQL: the role the server connects as, granted by 'db upgrade' "
        "(row-level security binds it; see docs/security.md).",
    )
    pool_max_overflow: int = Field(
        default=0,
        ge=0,
        le=200,
        description="Connections a process may open beyond the pool under load. Each is closed "
        "as it comes back while the pool is full, so under sustained load they are opened and "
        "closed again and again; a larger pool serves better (docs/operations.md).",
    )
    pool_timeout: float = Field(
        default=30.0,
        gt=0,
        le=600,
        description="Seconds a request waits for a free connection before SERVER_BUSY (503).",
    )
    auto_migrate: bool | None = Field(
        default=None,
        description="Apply migrations at start-up; defaults to on for SQLite, off for PostgreSQL.",
    )

    max_depth: int = Field(default=15, ge=2, description="Deepest field nesting in a document.")
    max_aliases: int = Field(default=50, ge=0, description="Aliases in a document.")
    max_tokens: int = Field(default=5000, ge=100, description="Lexical tokens in a document.")
    max_duplicate_fields: int = Field(
        default=20, ge=1, description="Times one field may be named in one selection."
    )
    max_operations: int = Field(default=20, ge=1, description="Operations in one document.")
    idempotency_key_hours: int = Field(
        default=24, ge=1, le=24 * 30, description="How long an Idempotency-Key is remembered."
    )
    max_query_cost: int = Field(
        default=250_000, ge=1, description="Most points one document may cost (docs/security.md)."
    )
    rate_limit_capacity: int = Field(
        default=2_000_000,
        ge=0,
        description="Points of query cost a token may spend at once; 0 turns the budget off.",
    )
    rate_limit_restore: int = Field(
        default=20_000, ge=0, description="Points a token's budget refills per second."
    )
    sync_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="PostgreSQL: how often each process shares its per-token budgets and "
        "subscription counts with the others.",
    )
    max_body_bytes: int = Field(default=512 * 1024, ge=1024, description="Request body size.")
    max_header_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Bytes of a request's header section (request line, header lines and line "
        "ends); a larger one is answered 431 before it is read whole.",
    )
    max_header_fields: int = Field(
        default=100, ge=10, description="Header fields of one request; more are answered 431."
    )
    http_parser: HttpParser = Field(
        default="auto",
        description="The HTTP/1.1 parser uvicorn serves with: httptools (auto) or the pure-Python "
        "h11; both keep the header limits.",
    )
    default_page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=500, ge=1)
    compiled_queries: bool = Field(
        default=True,
        description="On PostgreSQL, answer a query whose every field reads in SQL with one "
        "statement that builds the JSON (see docs/performance.md).",
    )

    computation_seconds: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Most seconds a CPU-bound computation (the best selection, a scenario's "
        "impact, the programme's beat, utilisation, maturity) may take, its wait for a free "
        "worker included; past it the field answers COMPUTATION_TIME_LIMIT.",
    )
    computation_workers: int = Field(
        default=2,
        ge=1,
        le=64,
        description="CPU-bound computations one server process runs at once, off its event "
        "loop; more wait their turn (within computation_seconds).",
    )
    computation_executor: Literal["process", "thread"] = Field(
        default="process",
        description="Where computations run: 'process', a pool of worker processes (started "
        "with forkserver, killed past the limit), so the event loop keeps its interpreter to "
        "itself; 'thread', threads of the server process, which share its interpreter lock "
        "and stop at the limit only where the computation checks it (docs/performance.md).",
    )

    max_subscriptions_per_connection: int = Field(
        default=20, ge=1, description="Subscriptions one WebSocket may hold at once."
    )
    max_subscriptions_per_token: int = Field(
        default=100,
        ge=1,
        description="Subscriptions one token may hold at once in one process, over all its "
        "WebSockets.",
    )
    subscription_queue_size: int = Field(
        default=100,
        ge=1,
        description="Events a subscription may fall behind by before it is dropped as a slow "
        "consumer.",
    )
    access_cache_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Most seconds a process keeps who a token is and which tiers are on, "
        "instead of reading both for every request, WebSocket operation and subscription event "
        "(forgotten at once when a token is revoked, a user's roles change or a tier is "
        "switched on any replica); 0 reads them every time.",
    )
    websocket_idle_seconds: float = Field(
        default=300.0,
        gt=0,
        description="A WebSocket with no subscription and no message for this long is closed.",
    )
    websocket_init_seconds: float = Field(
        default=10.0, gt=0, description="Time a new WebSocket has to send connection_init."
    )

    apq_cache_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=0,
        description="Bytes of query text each process keeps for automatic persisted queries "
        "(Apollo's persistedQuery extension), the least recently used forgotten first; 0 "
        "turns them off (PERSISTED_QUERY_NOT_SUPPORTED).",
    )
    trusted_documents: Path | None = Field(
        default=None,
        description="A manifest of trusted documents (Relay's persistedOutput, GraphQL "
        "Codegen's persisted-documents.json or Apollo's persisted query manifest): when set, "
        "only the documents it lists run, named by id or sent as their exact text.",
    )

    graphiql: bool = Field(default=True, description="Serve GraphiQL on GET /graphql.")
    introspection: bool = Field(default=True, description="Answer __schema/__type queries.")
    allow_get_queries: bool = Field(default=True, description="Accept queries sent with GET.")
    field_suggestions: bool = Field(
        default=True, description="'Did you mean …' hints in validation errors."
    )

    cors_origins: str = Field(
        default="",
        description="Comma-separated origins a browser may call the API from (none by default).",
    )

    webhook_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=120,
        description="Seconds a webhook receiver has to answer one delivery attempt.",
    )
    webhook_max_attempts: int = Field(
        default=8, ge=1, le=30, description="Attempts of a webhook delivery before it is FAILED."
    )
    webhook_retry_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="Wait before a failed delivery's first retry; it doubles on each retry.",
    )
    webhook_poll_seconds: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="How often each process looks for webhook deliveries due for a retry.",
    )
    webhook_concurrency: int = Field(
        default=4, ge=1, le=100, description="Webhook deliveries one process sends at once."
    )
    webhook_retention_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days a delivered or failed webhook delivery is kept, then deleted.",
    )
    webhook_disable_after: int = Field(
        default=10,
        ge=0,
        description="Failed deliveries in a row (each out of attempts) after which a webhook is "
        "switched off (active false, audited); a delivered one starts the count again; 0 never.",
    )
    webhook_private_networks: bool = Field(
        default=False,
        description="Let webhooks call loopback, private and link-local addresses (tests, "
        "on-premises receivers); off, such URLs are refused.",
    )
    secret_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Comma-separated keys that seal webhook signing secrets in the database: "
        "the first seals, every one opens ('pmo-graph keys generate' makes one). Empty: "
        "secrets are stored as they are.",
    )

    skip_broken_plugins: bool = Field(
        default=False,
        description="Start without a plugin that fails to load (logged) instead of refusing to.",
    )

    log_level: str = Field(default="INFO")
    log_format: Literal["json", "text"] = Field(default="json")

    @model_validator(mode="after")
    def _page_sizes_agree(self) -> Settings:
        if self.default_page_size > self.max_page_size:
            raise ValueError(
                f"default_page_size ({self.default_page_size}) is over max_page_size "
                f"({self.max_page_size})"
            )
        return self

    @model_validator(mode="after")
    def _listener_is_postgres(self) -> Settings:
        if self.listener_database_url is None:
            return self
        if self.is_sqlite:
            raise ValueError(
                "listener_database_url applies to PostgreSQL only; with SQLite, leave it unset"
            )
        if not self.listener_database_url.startswith("postgres"):
            raise ValueError(
                "listener_database_url must be a PostgreSQL URL "
                "(postgresql+asyncpg://user@host/db), like database_url"
            )
        return self

    @model_validator(mode="after")
    def _pooling_is_postgres(self) -> Settings:
        if self.database_pooling == "transaction" and self.is_sqlite:
            raise ValueError(
                "database_pooling 'transaction' applies to PostgreSQL behind PgBouncer; "
                "with SQLite, leave it unset"
            )
        if not self.database_statement_cache and self.is_sqlite:
            raise ValueError(
                "database_statement_cache applies to PostgreSQL behind PgBouncer; "
                "with SQLite, leave it unset"
            )
        if self.database_jit and self.is_sqlite:
            raise ValueError("database_jit applies to PostgreSQL; with SQLite, leave it unset")
        return self

    @model_validator(mode="after")
    def _secret_keys_are_keys(self) -> Settings:
        for number, key in enumerate(self.secret_key_list, start=1):
            try:
                Fernet(key.encode("ascii"))  # what seals webhook secrets (webhooks.sealing)
            except ValueError:
                raise ValueError(
                    f"secret_keys: key {number} is not a key made by 'pmo-graph keys generate' "
                    "(32 bytes in URL-safe base64)"
                ) from None
        return self

    @model_validator(mode="after")
    def _trusted_documents_load(self) -> Settings:
        if self.trusted_documents is not None:
            from pmo_graph.graphql.persisted.manifest import load_manifest

            load_manifest(self.trusted_documents)  # its ManifestError names file and entry
        return self

    @property
    def secret_key_list(self) -> list[str]:
        """The keys that seal webhook secrets, the sealing one first."""
        raw = self.secret_keys.get_secret_value()
        return [key.strip() for key in raw.split(",") if key.strip()]

    @property
    def listener_url(self) -> str:
        """Where the long-lived listening connection goes: its own URL, or the pool's."""
        return self.listener_database_url or self.database_url

    @property
    def is_sqlite(self) -> bool:
        """True when the database is the embedded SQLite engine."""
        return self.database_url.startswith("sqlite")

    @property
    def cors_origin_list(self) -> list[str]:
        """The allowed browser origins, parsed."""
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def should_auto_migrate(self) -> bool:
        """Whether the server migrates the database itself at start-up."""
        return self.is_sqlite if self.auto_migrate is None else self.auto_migrate
