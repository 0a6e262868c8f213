package io.tokenfactory.support.problem;

import java.net.URI;

import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * Builds RFC 9457 problem details the same way in every service: a stable {@code type}
 * URI derived from a machine-readable {@code code}, which is also set as its own property
 * for clients that switch on it.
 */
public final class ProblemTypes {

    public static final String BASE = "https://tokenfactory.io/problems/";

    public static final String CODE = "code";

    private ProblemTypes() {
    }

    public static URI typeOf(String code) {
        return URI.create(BASE + code);
    }

    public static ProblemDetail problem(HttpStatusCode status, String code, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(typeOf(code));
        problem.setTitle(title);
        problem.setProperty(CODE, code);
        return problem;
    }

    /** The code used when nothing more specific is known, derived from the status. */
    public static String defaultCode(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 409 -> "conflict";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            case 422 -> "unprocessable";
            case 429 -> "rate_limited";
            case 503 -> "service_unavailable";
            case 504 -> "upstream_timeout";
            default -> status.is5xxServerError() ? "internal_error" : "client_error";
        };
    }

}
