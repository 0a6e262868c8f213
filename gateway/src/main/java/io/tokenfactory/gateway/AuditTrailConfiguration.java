package io.tokenfactory.gateway;

import io.tokenfactory.support.audit.AuditConfiguration;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The gateway's audit trail (keys, agents' budgets, the first and recovered admin keys);
 * administrators read it, and the services' trails, at {@code /api/audit}.
 */
@Configuration(proxyBeanMethods = false)
@Import(AuditConfiguration.class)
class AuditTrailConfiguration {

}
