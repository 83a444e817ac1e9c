-- Runs at lab scale: who owns a run, its queue priority and content hash; when it was released to
-- the trainers' queue; which trainer holds it (a lease renewed by heartbeats) and on which attempt;
-- checkpoints to resume from; the trainers alive; dead letters; ASHA rung records.
alter table experiments add column owner text not null default 'anonymous';

alter table runs add column owner text not null default 'anonymous';
alter table runs add column priority integer not null default 1;   -- 0 low, 1 normal, 2 high
alter table runs add column content_hash text;
alter table runs add column released_at timestamptz;
alter table runs add column lease_owner text;
alter table runs add column lease_expires_at timestamptz;
alter table runs add column attempt integer not null default 0;
alter table runs add column requeued_attempt integer not null default 0;
alter table runs add column resumed_from_step bigint;
alter table runs add column stopped_early boolean not null default false;
-- set by the trainer when training ended (completed, failed or cancelled): the run is never trained again
alter table runs add column trained boolean not null default false;
-- runs created before this version were handed to the queue when they were submitted
update runs set released_at = created_at, trained = status not in ('QUEUED', 'RUNNING');
create index runs_content_hash_idx on runs (content_hash);
create index runs_unreleased_idx on runs (priority desc, created_at, ordinal)
    where released_at is null and status = 'QUEUED';
create index runs_owner_active_idx on runs (owner) where status in ('QUEUED', 'RUNNING');

-- The newest checkpoints of unfinished runs (older ones and those of finished runs are deleted).
create table checkpoints (
    run_id          uuid        not null references runs (id) on delete cascade,
    step            bigint      not null,
    epochs_done     integer     not null,
    position        integer     not null,
    artifact_sha256 text        not null references artifacts (sha256),
    trainer         text        not null,
    created_at      timestamptz not null default now(),
    primary key (run_id, step)
);

-- Trainers alive: each renews its row while it runs; the scheduler counts the slots of live ones.
create table trainers (
    name         text primary key,
    slots        integer     not null,
    device       text        not null,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now()
);

-- Records no consumer could process after bounded retries (also on the topic's .DLT twin).
create table dead_letters (
    id             bigserial primary key,
    topic          text        not null,
    partition      integer     not null,
    "offset"       bigint      not null,
    record_key     text,
    payload        text,
    consumer_group text,
    error          text,
    created_at     timestamptz not null default now(),
    unique (topic, partition, "offset", consumer_group)
);

-- ASHA: the metric value of a run when it reached a rung, and the decision taken.
create table asha_rungs (
    experiment_id uuid             not null references experiments (id) on delete cascade,
    rung          integer          not null,
    run_id        uuid             not null references runs (id) on delete cascade,
    epoch         integer          not null,
    value         double precision not null,
    promoted      boolean          not null,
    decided_at    timestamptz      not null default now(),
    primary key (experiment_id, rung, run_id)
);
