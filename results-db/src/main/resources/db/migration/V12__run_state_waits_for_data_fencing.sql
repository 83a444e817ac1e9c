-- A run's terminal status waits for its data (issue: run state never runs ahead of its data):
-- the experiment-service records the applied RunCompleted (its attempt) and the evaluator's outcome
-- separately, and moves a run to SUCCEEDED (or FAILED after a failed evaluation) only when both are
-- there and name the same artifact.
alter table runs add column completed_attempt integer;
alter table runs add column evaluation_outcome text check (evaluation_outcome in ('COMPLETED', 'FAILED'));
alter table runs add column evaluation_reason text;
alter table runs add column evaluated_artifact text;
alter table runs add column evaluated_attempt integer;
alter table runs add column evaluated_at timestamptz;
-- runs that already ended keep their status; mark their completion as applied
update runs set completed_attempt = attempt where trained_at is not null;

-- ASHA's stop-early decision, kept where a trainer can read it (the control topic is only the fast path).
alter table runs add column stop_early_requested boolean not null default false;

-- Which attempt's model an evaluation measured (a later attempt's evaluation replaces an earlier one's).
alter table evaluations add column attempt integer;

-- Every lifecycle event the experiment-service received for a run, applied or ignored (superseded by a
-- later attempt, or arriving after the run ended), and every status change: the audit that shows a run
-- ended exactly once and which attempt's events counted.
create table run_history (
    id         bigserial primary key,
    run_id     uuid        not null references runs (id) on delete cascade,
    event      text        not null,
    attempt    integer,
    applied    boolean     not null,
    detail     text,
    at         timestamptz not null default now()
);
create index run_history_run_idx on run_history (run_id, id);

-- Outbox rows that failed for a reason other than an outage, too often: set aside (visible in the admin API)
-- so that the rows after them go on.
alter table outbox add column parked_at timestamptz;
drop index outbox_unpublished_idx;
create index outbox_unpublished_idx on outbox (id) where published_at is null and parked_at is null;
