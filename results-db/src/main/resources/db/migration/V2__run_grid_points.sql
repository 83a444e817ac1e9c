-- The grid point a run belongs to (spec path -> value); runs of one experiment that differ only by
-- seed share it, which is how results are grouped and aggregated.
alter table runs add column grid_point jsonb not null default '{}'::jsonb;
create index runs_experiment_grid_idx on runs (experiment_id, grid_point);
-- The position of a run in its experiment's plan (grid order, then seed order).
alter table runs add column ordinal integer not null default 0;
