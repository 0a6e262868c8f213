package io.tokenfactory.support.problem;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.beans.TypeMismatchException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The error policy of the servlet services: every error is an RFC 9457 problem detail
 * with a stable {@code type} and {@code code}; client mistakes never become a 500 and
 * never carry a stack trace. Each service declares exactly one
 * {@code @RestControllerAdvice} that extends this class.
 */
public abstract class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(ApiProblemException.class)
    ResponseEntity<ProblemDetail> apiProblem(ApiProblemException problem) {
        return ResponseEntity.status(problem.status()).body(problem.toProblemDetail());
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException mismatch) {
        return ResponseEntity.badRequest()
            .body(ProblemTypes.problem(HttpStatus.BAD_REQUEST, "invalid_parameter", "Invalid parameter",
                    "'" + mismatch.getName() + "' has an invalid value"));
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<ProblemDetail> concurrentUpdate(OptimisticLockingFailureException conflict) {
        return ResponseEntity.status(HttpStatus.CONFLICT)
            .body(ProblemTypes.problem(HttpStatus.CONFLICT, "concurrent_update", "Concurrent update",
                    "Someone else changed this resource meanwhile; read it again and retry"));
    }

    /**
     * Text PostgreSQL cannot store (a NUL character, SQL states 22021 / 22P05) is the
     * client's mistake; the transaction has rolled back, so nothing changed.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> unstorable(DataIntegrityViolationException violation) {
        Throwable cause = violation.getMostSpecificCause();
        String state = cause instanceof SQLException sql ? sql.getSQLState() : null;
        if ("22021".equals(state) || "22P05".equals(state)) {
            return ResponseEntity.badRequest()
                .body(ProblemTypes.problem(HttpStatus.BAD_REQUEST, "invalid_text", "Invalid text",
                        "Text may not contain NUL characters or characters that cannot be stored"));
        }
        return unexpected(violation);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception unexpected) {
        log.error("Unexpected error", unexpected);
        return ResponseEntity.internalServerError()
            .body(ProblemTypes.problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "Internal error",
                    "The request could not be completed; it has been logged."));
    }

    /**
     * A request body's fields: {@code validation_failed} with every field's message.
     * Query parameters bound to a record ({@code @ModelAttribute}) are refused as when
     * read by hand: a 400 {@code invalid_parameter} naming the (first) bad parameter,
     * with its reader's detail ({@link ParameterReader}) or the constraint it breaks.
     */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException invalid,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        FieldError refused = invalid.getBindingResult().getFieldError();
        if (refused != null && invalid.getParameter().hasParameterAnnotation(ModelAttribute.class)) {
            return ResponseEntity.badRequest().headers(headers).body(refusedParameter(refused).toProblemDetail());
        }
        List<Map<String, String>> errors = invalid.getBindingResult()
            .getFieldErrors()
            .stream()
            .map(error -> Map.of("field", error.getField(), "message", String.valueOf(error.getDefaultMessage())))
            .toList();
        ProblemDetail problem = ProblemTypes.problem(HttpStatus.BAD_REQUEST, "validation_failed", "Validation failed",
                errors.size() + " field(s) are invalid");
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().headers(headers).body(problem);
    }

    private static ApiProblemException refusedParameter(FieldError refused) {
        if (!refused.contains(TypeMismatchException.class)) {
            // a constraint on the record, its message written to follow the parameter's
            // name
            return QueryParameters.invalid(refused.getField() + " " + refused.getDefaultMessage());
        }
        for (Throwable cause = refused.unwrap(TypeMismatchException.class); cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedParameter parameter) {
                return parameter.problemFor(refused.getField());
            }
        }
        return QueryParameters.invalid("'" + refused.getField() + "' has an invalid value");
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException invalid,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        ProblemDetail problem = ProblemTypes.problem(HttpStatus.BAD_REQUEST, "validation_failed", "Validation failed",
                "One or more parameters are invalid");
        return ResponseEntity.badRequest().headers(headers).body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException unreadable,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return ResponseEntity.badRequest()
            .headers(headers)
            .body(ProblemTypes.problem(HttpStatus.BAD_REQUEST, "malformed_body", "Malformed request body",
                    "The request body is missing or is not valid JSON for this operation"));
    }

    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode,
            WebRequest request) {
        if (body instanceof ProblemDetail problem
                && (problem.getProperties() == null || !problem.getProperties().containsKey(ProblemTypes.CODE))) {
            String code = ProblemTypes.defaultCode(statusCode);
            problem.setType(ProblemTypes.typeOf(code));
            problem.setProperty(ProblemTypes.CODE, code);
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

}
