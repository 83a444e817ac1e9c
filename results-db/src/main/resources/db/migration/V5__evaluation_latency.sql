-- Measured inference latency, dense vs sparse kernels, per batch size (see docs/evaluation.md).
alter table evaluations add column latency jsonb not null default '[]'::jsonb;
