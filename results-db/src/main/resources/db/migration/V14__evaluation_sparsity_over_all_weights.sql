-- Weight sparsity is reported twice (issue 16): over the layers the method sparsifies (sparsity, parameters,
-- non_zero: every weight layer except those kept dense, e.g. IMP's last layer) and over all weight layers
-- (all_*). Evaluations stored before this counted all layers in sparsity/parameters/non_zero, so their
-- all-layer figures are those.
alter table evaluations add column all_parameters bigint;
alter table evaluations add column all_non_zero bigint;
alter table evaluations add column all_sparsity double precision;
update evaluations set all_parameters = parameters, all_non_zero = non_zero, all_sparsity = sparsity;
alter table evaluations alter column all_parameters set not null;
alter table evaluations alter column all_non_zero set not null;
alter table evaluations alter column all_sparsity set not null;
