package io.tokenfactory.inference.web.openai;

import java.util.UUID;

import io.tokenfactory.inference.serving.OpenAiException;
import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Who an inference request is charged to, from the verified identity token and the
 * agent-run header.
 */
final class Callers {

    private Callers() {
    }

    /**
     * Inference is charged to a department: the current caller, if its key belongs to
     * one.
     */
    static Caller chargeable() {
        Caller caller = Caller.current();
        if (caller.departmentId() == null) {
            throw OpenAiException.departmentRequired();
        }
        return caller;
    }

    /**
     * The agent run this request belongs to: honoured only from a key bound to an agent
     * (the gateway vouches for the agent; the run id is the agent's own claim), null
     * otherwise.
     */
    static UUID agentRunId(Caller caller) {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (caller.agentId() == null || !(attributes instanceof ServletRequestAttributes servlet)) {
            return null;
        }
        String value = servlet.getRequest().getHeader(IdentityClaims.AGENT_RUN_HEADER);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        }
        catch (IllegalArgumentException e) {
            throw OpenAiException.invalid(null, "'" + IdentityClaims.AGENT_RUN_HEADER + "' must be a UUID.");
        }
    }

}
