package dev.sparselab.experiment.access;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who may see and change what. Every experiment belongs to a project; a caller sees the projects they are a
 * member of (any role) and changes those where their role allows it; instance administrators see all. What a
 * caller may not see does not exist for them: {@link NotVisibleException} (answered 404, like a missing id).
 * Seeing without the right to change is {@link ForbiddenException} (403).
 */
@Component
public class Access {
    private final JdbcClient jdbc;

    public Access(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The projects the caller sees; null for an administrator (all of them). */
    public Set<UUID> visibleProjects(Caller caller) {
        if (caller.admin()) {
            return null;
        }
        return Set.copyOf(jdbc.sql("select project_id from memberships where user_id = ?").param(caller.userId())
                .query(UUID.class).list());
    }

    /**
     * What each of these users sees now (their projects; empty Optional: an administrator, all projects), read from
     * the users and memberships tables; a user that is disabled or gone is absent from the answer.
     */
    public java.util.Map<UUID, Optional<Set<UUID>>> visibility(java.util.Collection<UUID> users) {
        java.util.Map<UUID, Optional<Set<UUID>>> out = new java.util.HashMap<>();
        if (users.isEmpty()) {
            return out;
        }
        UUID[] ids = users.toArray(UUID[]::new);
        java.util.Map<UUID, Set<UUID>> members = new java.util.HashMap<>();
        jdbc.sql("select id, admin from users where id = any(?) and disabled_at is null").param(ids)
                .query((rs, i) -> {
                    UUID id = rs.getObject(1, UUID.class);
                    if (rs.getBoolean(2)) {
                        out.put(id, Optional.empty());
                    } else {
                        members.put(id, new java.util.HashSet<>());
                    }
                    return id;
                }).list();
        jdbc.sql("select user_id, project_id from memberships where user_id = any(?)").param(ids)
                .query((rs, i) -> {
                    Set<UUID> projects = members.get(rs.getObject(1, UUID.class));
                    if (projects != null) {
                        projects.add(rs.getObject(2, UUID.class));
                    }
                    return null;
                }).list();
        members.forEach((id, projects) -> out.put(id, Optional.of(Set.copyOf(projects))));
        return out;
    }

    /** The caller's role in a project; administrators are project admins everywhere. */
    public Optional<Role> role(Caller caller, UUID project) {
        if (caller.admin()) {
            return Optional.of(Role.ADMIN);
        }
        return jdbc.sql("select role from memberships where user_id = ? and project_id = ?")
                .params(caller.userId(), project).query(String.class).optional().map(Role::of);
    }

    /** A project by name, if the caller sees it. */
    public Optional<UUID> projectNamed(Caller caller, String name) {
        Optional<UUID> id = jdbc.sql("select id from projects where name = ?").param(name).query(UUID.class).optional();
        return id.filter(p -> role(caller, p).isPresent());
    }

    /** The project an experiment is in, if the caller sees it. */
    public Optional<UUID> experimentProject(Caller caller, UUID experiment) {
        return jdbc.sql("select project_id from experiments where id = ?").param(experiment).query(UUID.class)
                .optional().filter(p -> role(caller, p).isPresent());
    }

    /** The project a run is in, if the caller sees it. */
    public Optional<UUID> runProject(Caller caller, UUID run) {
        return jdbc.sql("select e.project_id from runs r join experiments e on e.id = r.experiment_id where r.id = ?")
                .param(run).query(UUID.class).optional().filter(p -> role(caller, p).isPresent());
    }

    /** Throws unless the caller sees the experiment. */
    public void readExperiment(Caller caller, UUID experiment) {
        experimentProject(caller, experiment).orElseThrow(() -> new NotVisibleException("experiment", experiment));
    }

    /** Throws unless the caller sees the run. */
    public void readRun(Caller caller, UUID run) {
        runProject(caller, run).orElseThrow(() -> new NotVisibleException("run", run));
    }

    /** Throws unless the caller may change the experiment (404 if they do not see it, 403 if only a viewer). */
    public void writeExperiment(Caller caller, UUID experiment) {
        UUID project = experimentProject(caller, experiment)
                .orElseThrow(() -> new NotVisibleException("experiment", experiment));
        requireWrite(caller, project);
    }

    /** Throws unless the caller may change the run. */
    public void writeRun(Caller caller, UUID run) {
        UUID project = runProject(caller, run).orElseThrow(() -> new NotVisibleException("run", run));
        requireWrite(caller, project);
    }

    /** Throws unless the caller may submit into the project. */
    public void requireWrite(Caller caller, UUID project) {
        Role role = role(caller, project).orElseThrow(() -> new NotVisibleException("project", project));
        if (!role.canWrite()) {
            throw new ForbiddenException("a viewer of this project may read it but not submit or cancel");
        }
    }

    /**
     * The project a submission goes to: the one named, or else the caller's own (the project named like the
     * user), or else their only writable project.
     */
    public UUID submissionProject(Caller caller, String name) {
        if (name != null) {
            UUID project = projectNamed(caller, name).orElseThrow(() -> new NotVisibleException(
                    "no project named '" + name + "' that you are a member of"));
            requireWrite(caller, project);
            return project;
        }
        Optional<UUID> own = projectNamed(caller, caller.username())
                .filter(p -> role(caller, p).map(Role::canWrite).orElse(false));
        if (own.isPresent()) {
            return own.get();
        }
        List<UUID> writable = jdbc.sql("select project_id from memberships where user_id = ? and role <> 'viewer'")
                .param(caller.userId()).query(UUID.class).list();
        if (writable.size() == 1) {
            return writable.get(0);
        }
        throw new ForbiddenException(writable.isEmpty()
                ? "you are not a member of any project you may submit to"
                : "say which project (query parameter 'project'): you may submit to "
                + jdbc.sql("select name from projects where id = any(?) order by name")
                .param(writable.toArray(UUID[]::new)).query(String.class).list().stream()
                .collect(Collectors.joining(", ")));
    }

    /** Throws unless the caller is an instance administrator (others do not see the admin routes at all). */
    public void requireAdmin(Caller caller) {
        if (!caller.admin()) {
            throw new NotVisibleException("no such resource");
        }
    }
}
