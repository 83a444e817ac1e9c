-- Conditional-computation models (transformers, MoE, memory layers): bits per character, active parameters,
-- per-block expert load and drops, attention density (sparse-core ConditionalReport as JSON).
alter table evaluations add column conditional jsonb;
