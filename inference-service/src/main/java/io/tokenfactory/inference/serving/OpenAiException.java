package io.tokenfactory.inference.web.openai;

import java.util.UUID;

import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.security.IdentityClaims;

import org.springframework.http.HttpStatus;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * A request that gets an error in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}}, so OpenAI
 * clients raise their usual exceptions.
 */
class OpenAiException extends RuntimeException {

    private final HttpStatus status;
    private final String type;
    private final String param;
    private final String code;
    private final Long retryAfterSeconds;

    OpenAiException(HttpStatus status, String type, String param, String code, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static OpenAiException invalid(String param, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, "invalid_value", message, null);
    }

    static OpenAiException invalid(String param, String code, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, code, message, null);
    }

    static OpenAiException modelNotFound(String model) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist or you do not have access to it.", null);
    }

    static OpenAiException contextLengthExceeded(int context, int prompt, int requested) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "messages", "context_length_exceeded",
                "This model's maximum context length is " + context + " tokens. However, you requested " + (prompt + requested)
                        + " tokens (" + prompt + " in the messages, " + requested + " in the completion). "
                        + "Please reduce the length of the messages or completion.", null);
    }

    static OpenAiException busy(String message, long retryAfterSeconds) {
        return new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_exceeded", null, "queue_full", message,
                retryAfterSeconds);
    }

    /** Inference is charged to a department: a key without one (an administrator's) may not run it. */
    static OpenAiException departmentRequired() {
        return new OpenAiException(HttpStatus.FORBIDDEN, "permission_error", null, "department_required",
                "Inference is charged to a department; use a department's API key.", null);
    }

    /** No token is served unmetered: a result whose usage could not be committed is withheld. */
    static OpenAiException usageUnrecorded() {
        return unavailable("usage_unrecorded",
                "The usage of this request could not be recorded; its result is withheld. Try again.");
    }

    static OpenAiException upstreamInvalidResponse() {
        return new OpenAiException(HttpStatus.BAD_GATEWAY, "server_error", null, "upstream_invalid_response",
                "The model server sent an unreadable response.", null);
    }

    /** Inference is charged to a department: the current caller, if its key belongs to one. */
    static Caller chargeableCaller() {
        Caller caller = Caller.current();
        if (caller.departmentId() == null) {
            throw departmentRequired();
        }
        return caller;
    }

    /**
     * The agent run this request belongs to: honoured only from a key bound to an agent (the gateway vouches for the
     * agent; the run id is the agent's own claim), null otherwise.
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
        } catch (IllegalArgumentException e) {
            throw invalid(null, "'" + IdentityClaims.AGENT_RUN_HEADER + "' must be a UUID.");
        }
    }

    static OpenAiException unavailable(String code, String message) {
        return new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", null, code, message, 5L);
    }

    HttpStatus status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }

    Long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
