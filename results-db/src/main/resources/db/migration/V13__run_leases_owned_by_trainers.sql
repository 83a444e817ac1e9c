-- Which trainer holds which run moves out of the experiment-service's runs row into a table only the
-- trainer-service writes. The experiment-service reads it (fencing: the newest attempt; the scheduler:
-- expired leases and runs whose training ended) and learns everything else from events.
create table run_leases (
    run_id     uuid        primary key references runs (id) on delete cascade,
    owner      text,                                   -- the trainer holding the run, null when released
    expires_at timestamptz,                            -- renewed by the holder's heartbeat
    attempt    integer     not null default 0,         -- incremented by every take: the fencing token
    trained    boolean     not null default false,     -- training ended for good: never taken again
    updated_at timestamptz not null default now()
);
create index run_leases_expiring_idx on run_leases (expires_at) where owner is not null and not trained;

insert into run_leases (run_id, owner, expires_at, attempt, trained)
select id, lease_owner, lease_expires_at, attempt, trained from runs
where attempt > 0 or trained or lease_owner is not null;

alter table runs drop column lease_owner;
alter table runs drop column lease_expires_at;
alter table runs drop column trained;
-- runs.attempt stays: the experiment-service's record of the newest attempt it has heard of (RunStarted)
comment on column runs.attempt is 'newest attempt reported by RunStarted (written by the experiment-service)';
