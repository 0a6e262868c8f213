package io.tokenfactory.billing.web;

import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.problem.ProblemDetailsAdvice;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.beans.TypeMismatchException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;

/**
 * billing-service's one error policy: RFC 9457 problem details (see {@link ProblemDetailsAdvice}). Query parameters
 * bound to a record are refused as they were when read by hand: a 400 {@code invalid_parameter} that names the
 * (first) bad parameter, with its reader's detail ({@link ParameterReader}) or the constraint it breaks.
 */
@RestControllerAdvice
class BillingProblemAdvice extends ProblemDetailsAdvice {

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException invalid,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        FieldError refused = invalid.getBindingResult().getFieldError();
        if (refused == null || !invalid.getParameter().hasParameterAnnotation(ModelAttribute.class)) {
            return super.handleMethodArgumentNotValid(invalid, headers, status, request);
        }
        return ResponseEntity.badRequest().headers(headers).body(problem(refused).toProblemDetail());
    }

    private static ApiProblemException problem(FieldError refused) {
        if (!refused.contains(TypeMismatchException.class)) {
            // a constraint on the record, its message written to follow the parameter's name
            return QueryParameters.invalid(refused.getField() + " " + refused.getDefaultMessage());
        }
        for (Throwable cause = refused.unwrap(TypeMismatchException.class); cause != null; cause = cause.getCause()) {
            if (cause instanceof RefusedParameter parameter) {
                return parameter.problemFor(refused.getField());
            }
        }
        return QueryParameters.invalid("'" + refused.getField() + "' has an invalid value");
    }
}
