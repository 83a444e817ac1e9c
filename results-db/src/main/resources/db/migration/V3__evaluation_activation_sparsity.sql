-- Measured activation sparsity per hidden layer on the test split: [{"layer": "fc1", "sparsity": 0.42}, ...]
alter table evaluations add column activations jsonb not null default '[]'::jsonb;
