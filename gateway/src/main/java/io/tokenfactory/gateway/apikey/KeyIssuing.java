package io.tokenfactory.gateway.apikey;

import java.util.Set;

import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.stereotype.Service;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Issues a key: an {@code agent-keys} caller (agent-service) only inference keys bound to
 * a department and an agent; the department confirmed by billing-service first (no key
 * for a department nobody checked); then stored, off the event loop (JPA is blocking).
 */
@Service
public class KeyIssuing {

    private final ApiKeys keys;

    private final BillingDepartmentsClient departments;

    KeyIssuing(ApiKeys keys, BillingDepartmentsClient departments) {
        this.keys = keys;
        this.departments = departments;
    }

    public Mono<IssuedApiKey> issue(NewApiKey spec, boolean callerIsAdmin) {
        if (!callerIsAdmin && !isAgentInferenceKey(spec)) {
            return Mono.error(ApiProblemException
                .forbidden("An 'agent-keys' key issues only inference keys bound to a department and an agent"));
        }
        return departments.requireExists(spec.departmentId())
            .then(Mono.fromCallable(() -> keys.issue(spec)).subscribeOn(Schedulers.boundedElastic()));
    }

    private static boolean isAgentInferenceKey(NewApiKey spec) {
        return spec.agentId() != null && spec.departmentId() != null
                && spec.scopes().equals(Set.of(IdentityClaims.SCOPE_INFERENCE));
    }

}
