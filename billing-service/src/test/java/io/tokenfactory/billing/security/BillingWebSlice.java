package io.tokenfactory.billing.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.tokenfactory.billing.alert.WebhookSubscriptions;
import io.tokenfactory.billing.charging.AgentRunCharges;
import io.tokenfactory.billing.charging.BilledUsage;
import io.tokenfactory.billing.charging.BillingPeriods;
import io.tokenfactory.billing.charging.BudgetSnapshot;
import io.tokenfactory.billing.charging.CostPerToken;
import io.tokenfactory.billing.charging.DepartmentSpend;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.billing.focus.FocusExport;
import io.tokenfactory.billing.pricing.PriceBook;
import io.tokenfactory.billing.statement.PeriodClose;
import io.tokenfactory.billing.statement.StatementDocuments;
import io.tokenfactory.billing.statement.Statements;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * billing-service's web layer without a database or broker: every controller, the error
 * policy and the JSON settings, behind the service's own security, with the services
 * behind the controllers mocked. Identity tokens are read by a mocked {@link JwtDecoder}
 * (see {@link MockedIdentityTokens}).
 * <p>
 * Spring Boot 4's {@code @WebMvcTest} brings the OAuth2 resource server but not web
 * security itself (that comes with {@code spring-boot-security-test}, not available
 * here), so the security auto-configuration is imported by hand. Every slice test shares
 * this one context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@WebMvcTest
@ImportAutoConfiguration({ SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class,
        SecurityFilterAutoConfiguration.class })
@Import(SecurityConfiguration.class)
@MockitoBean(types = { PriceBook.class, DepartmentCatalog.class, AgentRunCharges.class, BilledUsage.class,
        CostPerToken.class, DepartmentSpend.class, BillingPeriods.class, PeriodClose.class, Statements.class,
        StatementDocuments.class, WebhookSubscriptions.class, BudgetSnapshot.class, FocusExport.class,
        JwtDecoder.class })
public @interface BillingWebSlice {

}
