package io.tokenfactory.metering.web;

import io.tokenfactory.support.problem.ProblemDetailsAdvice;

import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * metering-service's one error policy: RFC 9457 problem details (see
 * {@link ProblemDetailsAdvice}).
 */
@RestControllerAdvice
class MeteringProblemAdvice extends ProblemDetailsAdvice {

}
