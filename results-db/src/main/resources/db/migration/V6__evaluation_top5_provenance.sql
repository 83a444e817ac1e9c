-- Top-5 accuracy (datasets with more than 10 classes) and where the evaluation ran.
alter table evaluations add column top5_accuracy double precision;
alter table evaluations add column provenance jsonb;
