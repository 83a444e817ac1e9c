-- A token's own rate limit (requests per minute); null: the gateway's default (sparselab.gateway.limits).
alter table api_tokens add column requests_per_minute integer check (requests_per_minute > 0);
