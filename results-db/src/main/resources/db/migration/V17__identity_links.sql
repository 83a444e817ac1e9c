-- Issue 20: an identity provider's user is an (issuer, subject) pair linked to a SparseLab account, never matched
-- onto an account by a name claim (OIDC does not make preferred_username unique, and some providers let users
-- change it). A link is made when the gateway provisions the account on first sight (sparselab.auth.jwt-provisioning
-- create) or by an administrator (POST /api/v1/admin/users/{name}/identities).
create table identity_links (
    issuer     text        not null,
    subject    text        not null,
    user_id    uuid        not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (issuer, subject)
);
create index identity_links_user on identity_links (user_id);
