package io.tokenfactory.agents.tools.web;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.tokenfactory.agents.tools.HttpToolRegistry;
import io.tokenfactory.agents.tools.HttpToolRegistry.HttpTool;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

/**
 * HTTP tools: registered and removed by administrators, listed for everyone who defines
 * agents.
 */
@RestController
class HttpToolController {

    private final HttpToolRegistry registry;

    HttpToolController(HttpToolRegistry registry) {
        this.registry = registry;
    }

    record ToolRequest(@NotBlank @Size(max = 64) String name, @NotBlank @Size(max = 1_000) String description,
            @NotBlank @Size(max = 2_000) String url, @NotNull JsonNode parameters) {
    }

    @PostMapping("/api/agents/tools")
    ResponseEntity<HttpTool> register(@Valid @RequestBody ToolRequest request) {
        requireAdmin();
        HttpTool tool = registry.register(request.name(), request.description(), request.url(), request.parameters());
        return ResponseEntity.created(URI.create("/api/agents/tools/" + tool.name())).body(tool);
    }

    @GetMapping("/api/agents/tools")
    List<HttpTool> list() {
        return registry.list();
    }

    @DeleteMapping("/api/agents/tools/{name}")
    ResponseEntity<Void> remove(@PathVariable String name) {
        requireAdmin();
        registry.remove(name);
        return ResponseEntity.noContent().build();
    }

    private static void requireAdmin() {
        if (!Caller.current().isAdmin()) {
            throw ApiProblemException.forbidden("Only administrators register and remove HTTP tools");
        }
    }

}
