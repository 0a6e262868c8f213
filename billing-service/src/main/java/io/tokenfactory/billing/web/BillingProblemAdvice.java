package io.tokenfactory.billing.web;

import io.tokenfactory.support.problem.ProblemDetailsAdvice;

import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * billing-service's one error policy: RFC 9457 problem details (see
 * {@link ProblemDetailsAdvice}).
 */
@RestControllerAdvice
class BillingProblemAdvice extends ProblemDetailsAdvice {

}
