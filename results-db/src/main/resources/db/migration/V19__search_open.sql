-- A search (sweep.search) proposes its trials while it is open: from its submission until its budget is spent or the
-- experiment is cancelled. The experiment-service's proposer looks only at open searches.
alter table experiments add column search_open boolean not null default false;
create index experiments_search_open on experiments (id) where search_open;
