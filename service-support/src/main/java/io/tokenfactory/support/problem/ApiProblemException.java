package io.tokenfactory.support.problem;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A refusal that the client caused and can act on; rendered as a problem detail with its
 * status and code.
 */
public class ApiProblemException extends RuntimeException {

    private final HttpStatus status;

    private final String code;

    private final String title;

    public ApiProblemException(HttpStatus status, String code, String title, String detail) {
        super(detail);
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public static ApiProblemException notFound(String code, String detail) {
        return new ApiProblemException(HttpStatus.NOT_FOUND, code, "Not found", detail);
    }

    public static ApiProblemException forbidden(String detail) {
        return new ApiProblemException(HttpStatus.FORBIDDEN, "forbidden", "Forbidden", detail);
    }

    public static ApiProblemException conflict(String code, String detail) {
        return new ApiProblemException(HttpStatus.CONFLICT, code, "Conflict", detail);
    }

    public static ApiProblemException unprocessable(String code, String detail) {
        return new ApiProblemException(HttpStatus.UNPROCESSABLE_CONTENT, code, "Unprocessable request", detail);
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public ProblemDetail toProblemDetail() {
        return ProblemTypes.problem(status, code, title, getMessage());
    }

}
