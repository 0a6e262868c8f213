package io.tokenfactory.inference.serving;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;

/**
 * A request that gets an error in OpenAI's shape: {@code {"error": {"message", "type",
 * "param", "code"}}}, so OpenAI clients raise their usual exceptions.
 */
public class OpenAiException extends RuntimeException {

    private final HttpStatus status;

    private final String type;

    private final String param;

    private final String code;

    private final Long retryAfterSeconds;

    public OpenAiException(HttpStatus status, String type, String param, String code, String message,
            Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static OpenAiException invalid(String param, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, "invalid_value", message,
                null);
    }

    public static OpenAiException invalid(String param, String code, String message) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", param, code, message, null);
    }

    public static OpenAiException modelNotFound(String model) {
        return new OpenAiException(HttpStatus.NOT_FOUND, "invalid_request_error", "model", "model_not_found",
                "The model '" + model + "' does not exist or you do not have access to it.", null);
    }

    static OpenAiException contextLengthExceeded(int context, int prompt, int requested) {
        return new OpenAiException(HttpStatus.BAD_REQUEST, "invalid_request_error", "messages",
                "context_length_exceeded",
                "This model's maximum context length is " + context + " tokens. However, you requested "
                        + (prompt + requested) + " tokens (" + prompt + " in the messages, " + requested
                        + " in the completion). " + "Please reduce the length of the messages or completion.",
                null);
    }

    public static OpenAiException busy(String message, long retryAfterSeconds) {
        return new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_exceeded", null, "queue_full", message,
                retryAfterSeconds);
    }

    /**
     * Inference is charged to a department: a key without one (an administrator's) may
     * not run it.
     */
    public static OpenAiException departmentRequired() {
        return new OpenAiException(HttpStatus.FORBIDDEN, "permission_error", null, "department_required",
                "Inference is charged to a department; use a department's API key.", null);
    }

    /**
     * No token is served unmetered: a result whose usage could not be committed is
     * withheld.
     */
    static OpenAiException usageUnrecorded() {
        return unavailable("usage_unrecorded",
                "The usage of this request could not be recorded; its result is withheld. Try again.");
    }

    static OpenAiException upstreamInvalidResponse() {
        return new OpenAiException(HttpStatus.BAD_GATEWAY, "server_error", null, "upstream_invalid_response",
                "The model server sent an unreadable response.", null);
    }

    static OpenAiException unavailable(String code, String message) {
        return new OpenAiException(HttpStatus.SERVICE_UNAVAILABLE, "server_error", null, code, message, 5L);
    }

    public HttpStatus status() {
        return status;
    }

    public Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The response body OpenAI clients parse. */
    public Map<String, Object> toBody() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Map.of("error", error);
    }

}
