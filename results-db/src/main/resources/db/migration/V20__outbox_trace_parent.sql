-- The trace an outbox row belongs to (its W3C traceparent when the row was appended inside a traced request), so that
-- the relay publishes it in that trace: a trace goes from the HTTP submit through Kafka to the trainer and evaluator.
alter table outbox add column trace_parent text;

-- A run's request goes out when the scheduler releases it, after the submitting request ended: the run keeps the
-- submission's traceparent, and its RunRequested is appended to the outbox in that trace.
alter table runs add column trace_parent text;
