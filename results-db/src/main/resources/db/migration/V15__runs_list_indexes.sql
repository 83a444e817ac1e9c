-- The runs list at lab scale (issue 17, bench/queries.sh): newest first with a limit walks this index and stops
-- after the page instead of sorting every match; the method filter reads the run's sealed spec.
create index runs_created_idx on runs (created_at desc, ordinal);
create index runs_method_idx on runs ((spec -> 'sparsity' ->> 'method'));
