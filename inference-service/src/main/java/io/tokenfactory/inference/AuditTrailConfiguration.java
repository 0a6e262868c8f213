package io.tokenfactory.inference;

import io.tokenfactory.support.audit.AuditConfiguration;
import io.tokenfactory.support.audit.web.AuditController;

import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * This service's audit trail (power caps set and removed): who changed what, before and
 * after, append-only; read by administrators at {@code /api/audit} (the gateway's
 * {@code /api/audit/inference}).
 */
@Configuration(proxyBeanMethods = false)
@Import({ AuditConfiguration.class, AuditController.class })
class AuditTrailConfiguration {

}
