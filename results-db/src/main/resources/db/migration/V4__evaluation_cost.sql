-- Inference FLOPs per example and storage, dense and sparse (see docs/evaluation.md), and N:M compliance.
alter table evaluations add column cost jsonb;
alter table evaluations add column nm_compliance double precision;
