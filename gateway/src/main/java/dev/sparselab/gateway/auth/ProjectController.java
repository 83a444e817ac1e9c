package dev.sparselab.gateway.auth;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Projects and their members. Any user may create a project (and is its admin); a project's admins (and
 * instance admins) set members' roles; members see the member list; to anyone else a project does not exist.
 */
@RestController
class ProjectController {
    private final IdentityStore identities;

    ProjectController(IdentityStore identities) {
        this.identities = identities;
    }

    record NewProject(String name) {
    }

    record RoleRequest(String role) {
    }

    record ProjectView(String name, String role, List<IdentityStore.Member> members) {
    }

    @GetMapping("/api/v1/projects")
    List<IdentityStore.ProjectRole> mine() {
        return identities.projects(Callers.required().id());
    }

    @PostMapping("/api/v1/projects")
    ResponseEntity<ProjectView> create(@RequestBody(required = false) NewProject request) {
        SparseLabUser caller = Callers.required();
        UUID id = identities.createProject(request == null ? null : request.name(), caller);
        identities.audit(caller.username(), "project.create", "project", request.name(), id, null);
        return ResponseEntity.created(URI.create("/api/v1/projects/" + request.name()))
                .body(new ProjectView(request.name(), "admin", identities.members(id)));
    }

    @GetMapping("/api/v1/projects/{name}")
    ProjectView get(@PathVariable String name) {
        SparseLabUser caller = Callers.required();
        UUID id = visible(caller, name);
        return new ProjectView(name, identities.role(caller, id).orElseThrow(), identities.members(id));
    }

    @PutMapping("/api/v1/projects/{name}/members/{username}")
    ProjectView setRole(@PathVariable String name, @PathVariable String username,
                        @RequestBody(required = false) RoleRequest request) {
        SparseLabUser caller = Callers.required();
        UUID project = administered(caller, name);
        SparseLabUser member = identities.user(username)
                .orElseThrow(() -> ApiException.invalid("/username", "no user '" + username + "'"));
        identities.setRole(project, member.id(), request == null ? null : request.role());
        identities.audit(caller.username(), "project.member.set", "project", name, project,
                Map.of("user", username, "role", request.role()));
        return get(name);
    }

    @DeleteMapping("/api/v1/projects/{name}/members/{username}")
    ResponseEntity<Void> remove(@PathVariable String name, @PathVariable String username) {
        SparseLabUser caller = Callers.required();
        UUID project = administered(caller, name);
        SparseLabUser member = identities.user(username)
                .orElseThrow(() -> ApiException.notFound("no member '" + username + "' in project " + name));
        if (!identities.removeMember(project, member.id())) {
            throw ApiException.notFound("no member '" + username + "' in project " + name);
        }
        identities.audit(caller.username(), "project.member.remove", "project", name, project,
                Map.of("user", username));
        return ResponseEntity.noContent().build();
    }

    private UUID visible(SparseLabUser caller, String name) {
        return identities.projectId(name).filter(id -> identities.role(caller, id).isPresent())
                .orElseThrow(() -> ApiException.notFound("no project '" + name + "'"));
    }

    private UUID administered(SparseLabUser caller, String name) {
        UUID id = visible(caller, name);
        if (!"admin".equals(identities.role(caller, id).orElseThrow())) {
            throw new ApiException(HttpStatus.FORBIDDEN, "only the project's admins manage its members");
        }
        return id;
    }
}
