-- Issue 21: tags on runs (their models): free-form names; `champion` marks at most one run per experiment.
create table run_tags (
    run_id     uuid        not null references runs (id) on delete cascade,
    tag        text        not null check (tag ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    created_by text,
    created_at timestamptz not null default now(),
    primary key (run_id, tag)
);
create index run_tags_tag on run_tags (tag);
