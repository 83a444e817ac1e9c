-- SparseLab schema v1: experiments and runs, metric series, the transactional outbox, the
-- processed-event ledger that makes consumers idempotent, content-addressed artifacts, evaluations.

create table experiments (
    id          uuid primary key,
    name        text        not null,
    spec        jsonb       not null,
    created_at  timestamptz not null default now()
);

create table runs (
    id              uuid primary key,
    experiment_id   uuid        not null references experiments (id),
    seed            bigint      not null,
    spec            jsonb       not null,
    status          text        not null default 'QUEUED'
        check (status in ('QUEUED', 'RUNNING', 'EVALUATING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    reason          text,
    trainer         text,
    device          text,
    artifact_sha256 text,
    provenance      jsonb,
    created_at      timestamptz not null default now(),
    started_at      timestamptz,
    trained_at      timestamptz,
    finished_at     timestamptz,
    updated_at      timestamptz not null default now()
);
create index runs_experiment_idx on runs (experiment_id);
create index runs_status_idx on runs (status);

-- One point per (run, series, step): a replayed event cannot add a point twice.
create table run_metrics (
    run_id uuid             not null references runs (id) on delete cascade,
    name   text             not null,
    step   bigint           not null,
    epoch  integer          not null,
    value  double precision not null,
    primary key (run_id, name, step)
);

-- Transactional outbox: written in the same transaction as the state it announces, relayed to Kafka.
create table outbox (
    id             bigserial primary key,
    topic          text        not null,
    aggregate_type text        not null,
    aggregate_id   text        not null,
    type           text        not null,
    payload        jsonb       not null,
    created_at     timestamptz not null default now(),
    published_at   timestamptz,
    attempts       integer     not null default 0,
    last_error     text
);
create index outbox_unpublished_idx on outbox (id) where published_at is null;

-- Events a consumer has fully handled, keyed by the consumer's name and the event id.
create table processed_events (
    consumer     text        not null,
    event_id     uuid        not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_id)
);

-- Content-addressed blobs (sha256 of the content).
create table artifacts (
    sha256     text primary key,
    kind       text        not null,
    size_bytes bigint      not null,
    content    bytea       not null,
    created_at timestamptz not null default now()
);

create table evaluations (
    run_id          uuid primary key references runs (id) on delete cascade,
    artifact_sha256 text             not null references artifacts (sha256),
    test_accuracy   double precision not null,
    test_loss       double precision not null,
    sparsity        double precision not null,
    parameters      bigint           not null,
    non_zero        bigint           not null,
    examples        integer          not null,
    layers          jsonb            not null,
    device          text             not null,
    created_at      timestamptz      not null default now()
);
