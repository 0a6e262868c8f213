package io.tokenfactory.agents.web;

import io.tokenfactory.support.problem.ProblemDetailsAdvice;

import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * agent-service's one error policy: RFC 9457 problem details (see
 * {@link ProblemDetailsAdvice}).
 */
@RestControllerAdvice
class AgentProblemAdvice extends ProblemDetailsAdvice {

}
