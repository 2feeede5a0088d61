"""the end of a write in one statement: deliveries, the chain's turn and head, audit, notices

Revision ID: 0012_finish_write_function
Revises: 0011_unique_person_emails
Create Date: 2026-12-07 16:00:00

PostgreSQL only (SQLite keeps one statement a step): ``pmo_graph_finish_write`` does in one round
trip what a write transaction did in four or five after its body (``pmo_graph.finish_write``).
It stages the webhook deliveries (``INSERT … SELECT`` from the active webhooks, which it holds
``FOR KEY SHARE``), takes the organisation's turn on its audit chain (its row ``FOR NO KEY
UPDATE``), reads the chain's head, inserts the audit events, each hashed by splicing the
previous hash and its ``seq`` into the bytes Python serialised (the hash is the one
``audit.chain.event_hash`` computes), and sends the notices with ``pg_notify``.

A PL/pgSQL function because each of its statements takes a fresh snapshot under READ COMMITTED:
the head it reads after the lock was granted is the one the writer before it committed, so two
writers cannot fork the chain, as with the separate statements before.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012_finish_write_function"
down_revision: str | Sequence[str] | None = "0011_unique_person_emails"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = (
    "pmo_graph_finish_write(bigint, timestamptz, text[], text[], timestamptz[], bigint[], "
    "text[], text[], text[], text[], text[], bytea[], bytea[], text, integer, text[], text[], "
    "text[])"
)

FUNCTION = r"""
CREATE OR REPLACE FUNCTION pmo_graph_finish_write(
    organisation bigint,
    staged_at timestamptz,
    -- one row per event a webhook may receive: its name and its JSON body after the delivery id
    delivery_events text[],
    delivery_bodies text[],
    -- the audit events, in order
    audit_at timestamptz[],
    audit_actors bigint[],
    audit_actions text[],
    audit_entity_types text[],
    audit_entity_pks text[],
    audit_changes text[],
    audit_requests text[],
    -- each event's hashed bytes before the previous hash, and between it and the seq
    audit_before bytea[],
    audit_between bytea[],
    -- the notices: the channel (NULL: none sent), the largest payload, the domain events'
    -- payloads ready, and each audit notice's JSON before and after its event's id
    channel text,
    payload_bytes integer,
    notices text[],
    audit_notice_heads text[],
    audit_notice_tails text[],
    OUT staged integer,
    OUT ids bigint[],
    OUT seqs bigint[],
    OUT previous text[],
    OUT hashes text[]
) LANGUAGE plpgsql AS $$
DECLARE
    head_seq bigint;
    head_hash text;
    linked text;
    new_id bigint;
    payload text := '';
    notice text;
BEGIN
    staged := 0;
    IF cardinality(delivery_events) > 0 THEN
        -- FOR KEY SHARE: a webhook being deleted is waited for and then left out, and its
        -- deletion waits for the deliveries staged for it.
        WITH subscribed AS MATERIALIZED (
            SELECT w.id AS webhook_id, d.name, d.body,
                   replace(gen_random_uuid()::text, '-', '') AS delivery_id
            FROM (SELECT id, event_types FROM webhooks
                  WHERE organisation_id = organisation AND active
                  FOR KEY SHARE) AS w
            JOIN unnest(delivery_events, delivery_bodies) AS d(name, body)
              ON w.event_types::jsonb ? d.name
        )
        INSERT INTO webhook_deliveries (organisation_id, webhook_id, delivery_id, event_name,
                                        payload, status, attempts, next_attempt_at, created_at)
        SELECT organisation, webhook_id, delivery_id, name,
               ('{"deliveryId":"' || delivery_id || '",' || body)::json, 'PENDING', 0,
               staged_at, staged_at
        FROM subscribed;
        GET DIAGNOSTICS staged = ROW_COUNT;
    END IF;

    ids := '{}';
    seqs := '{}';
    previous := '{}';
    hashes := '{}';
    IF cardinality(audit_actions) > 0 THEN
        -- The chain's turn, held until the commit; the head is read by the next statement,
        -- with a snapshot taken once the turn was granted.
        PERFORM 1 FROM organisations WHERE id = organisation FOR NO KEY UPDATE;
        SELECT e.seq, e.hash INTO head_seq, head_hash FROM audit_events AS e
        WHERE e.organisation_id = organisation ORDER BY e.seq DESC LIMIT 1;
        IF NOT FOUND THEN
            head_seq := 0;
            head_hash := repeat('0', 64);
        END IF;
        FOR i IN 1 .. cardinality(audit_actions) LOOP
            head_seq := head_seq + 1;
            linked := encode(sha256(audit_before[i] || convert_to(head_hash, 'UTF8')
                || audit_between[i] || convert_to(head_seq::text || '}', 'UTF8')), 'hex');
            INSERT INTO audit_events (organisation_id, at, actor_user_id, action, entity_type,
                                      entity_pk, changes, request_id, seq, previous_hash, hash)
            VALUES (organisation, audit_at[i], audit_actors[i], audit_actions[i],
                    audit_entity_types[i], audit_entity_pks[i], audit_changes[i]::json,
                    audit_requests[i], head_seq, head_hash, linked)
            RETURNING id INTO new_id;
            ids := ids || new_id;
            seqs := seqs || head_seq;
            previous := previous || head_hash;
            hashes := hashes || linked;
            head_hash := linked;
        END LOOP;
    END IF;

    IF channel IS NOT NULL THEN
        FOR i IN 1 .. coalesce(cardinality(notices), 0) LOOP
            PERFORM pg_notify(channel, notices[i]);
        END LOOP;
        FOR i IN 1 .. coalesce(cardinality(audit_notice_heads), 0) LOOP
            notice := audit_notice_heads[i] || ids[i] || audit_notice_tails[i];
            IF payload <> ''
               AND octet_length(payload) + octet_length(notice) + 3 > payload_bytes THEN
                PERFORM pg_notify(channel, '[' || payload || ']');
                payload := '';
            END IF;
            payload := CASE WHEN payload = '' THEN notice ELSE payload || ',' || notice END;
        END LOOP;
        IF payload <> '' THEN
            PERFORM pg_notify(channel, '[' || payload || ']');
        END IF;
    END IF;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
