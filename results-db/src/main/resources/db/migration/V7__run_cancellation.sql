-- Who cancelled a run, and when.
alter table runs add column cancelled_by text;
alter table runs add column cancelled_at timestamptz;
