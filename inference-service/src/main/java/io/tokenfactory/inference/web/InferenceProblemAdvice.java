package io.tokenfactory.inference.web;

import io.tokenfactory.support.problem.ProblemDetailsAdvice;

import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * inference-service's one error policy: RFC 9457 problem details (see
 * {@link ProblemDetailsAdvice}).
 */
@RestControllerAdvice
class InferenceProblemAdvice extends ProblemDetailsAdvice {

}
