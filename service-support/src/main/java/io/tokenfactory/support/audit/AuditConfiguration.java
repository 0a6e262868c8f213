package io.tokenfactory.support.audit;

import java.time.Clock;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit trail of a service (its {@code audit_record} table, a shared migration): a
 * service imports this ({@code @Import}), and a servlet service {@code AuditController}
 * too, which the gateway reaches at {@code /api/audit/<service>}.
 */
@Configuration(proxyBeanMethods = false)
public class AuditConfiguration {

    @Bean
    AuditTrail auditTrail(JdbcTemplate jdbc, Clock clock) {
        return new AuditTrail(jdbc, clock);
    }

}
