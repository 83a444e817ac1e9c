-- Identity and access (issue 8): users, projects (a group's shared space), per-project roles, API tokens,
-- the audit log, and the web UI's sessions (Spring Session JDBC's schema, so any gateway replica serves them).

create table users (
    id            uuid primary key,
    username      text        not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    -- a password-derived hash (Argon2id, Spring Security's encoding with its {id} prefix); null: no password login
    password_hash text,
    -- an instance administrator: every project, the admin routes, users and projects
    admin         boolean     not null default false,
    created_at    timestamptz not null default now(),
    disabled_at   timestamptz
);

create table projects (
    id         uuid primary key,
    name       text        not null unique check (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    created_at timestamptz not null default now()
);

-- admin: manages the project's members; member: reads and submits, cancels; viewer: reads
create table memberships (
    project_id uuid        not null references projects (id) on delete cascade,
    user_id    uuid        not null references users (id) on delete cascade,
    role       text        not null check (role in ('admin', 'member', 'viewer')),
    created_at timestamptz not null default now(),
    primary key (project_id, user_id)
);
create index memberships_user on memberships (user_id);

-- API tokens: only a SHA-256 of the secret is stored (the secret is 256 random bits, shown once)
create table api_tokens (
    id           uuid primary key,
    user_id      uuid        not null references users (id) on delete cascade,
    name         text        not null,
    token_hash   bytea       not null unique,
    -- the first characters of the token, to tell tokens apart in lists
    prefix       text        not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
create index api_tokens_user on api_tokens (user_id);

create table audit_log (
    id          bigserial primary key,
    at          timestamptz not null default now(),
    actor       text        not null,
    action      text        not null,
    target_type text        not null,
    target_id   text,
    project_id  uuid,
    detail      jsonb
);
create index audit_log_at on audit_log (at desc);

-- every experiment belongs to a project; what existed before goes to project "default"
insert into projects (id, name) values ('00000000-0000-0000-0000-000000000001', 'default');
alter table experiments add column project_id uuid references projects (id);
update experiments set project_id = '00000000-0000-0000-0000-000000000001';
alter table experiments alter column project_id set not null;
create index experiments_project on experiments (project_id, created_at desc);

CREATE TABLE SPRING_SESSION (
	PRIMARY_ID CHAR(36) NOT NULL,
	SESSION_ID CHAR(36) NOT NULL,
	CREATION_TIME BIGINT NOT NULL,
	LAST_ACCESS_TIME BIGINT NOT NULL,
	MAX_INACTIVE_INTERVAL INT NOT NULL,
	EXPIRY_TIME BIGINT NOT NULL,
	PRINCIPAL_NAME VARCHAR(100),
	CONSTRAINT SPRING_SESSION_PK PRIMARY KEY (PRIMARY_ID)
);
CREATE UNIQUE INDEX SPRING_SESSION_IX1 ON SPRING_SESSION (SESSION_ID);
CREATE INDEX SPRING_SESSION_IX2 ON SPRING_SESSION (EXPIRY_TIME);
CREATE INDEX SPRING_SESSION_IX3 ON SPRING_SESSION (PRINCIPAL_NAME);

CREATE TABLE SPRING_SESSION_ATTRIBUTES (
	SESSION_PRIMARY_ID CHAR(36) NOT NULL,
	ATTRIBUTE_NAME VARCHAR(200) NOT NULL,
	ATTRIBUTE_BYTES BYTEA NOT NULL,
	CONSTRAINT SPRING_SESSION_ATTRIBUTES_PK PRIMARY KEY (SESSION_PRIMARY_ID, ATTRIBUTE_NAME),
	CONSTRAINT SPRING_SESSION_ATTRIBUTES_FK FOREIGN KEY (SESSION_PRIMARY_ID) REFERENCES SPRING_SESSION(PRIMARY_ID) ON DELETE CASCADE
);
