package io.tokenfactory.metering.security;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import io.tokenfactory.metering.carbon.CarbonIntensities;
import io.tokenfactory.metering.efficiency.EfficiencyQueries;
import io.tokenfactory.metering.energy.EnergyBalance;
import io.tokenfactory.metering.reconciliation.ReconciliationService;
import io.tokenfactory.metering.usage.UsageQueries;
import io.tokenfactory.metering.usage.UsageRebuild;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * metering-service's web layer without a database or broker: every controller, the error
 * policy and the converters, behind the service's own security, with the services behind
 * the controllers mocked and the clock fixed at {@link #NOW}. Identity tokens are read by
 * a mocked {@link JwtDecoder} (see {@link MockedIdentityTokens}).
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
@Import({ SecurityConfiguration.class, MeteringWebSlice.FixedClock.class })
@MockitoBean(types = { CarbonIntensities.class, UsageQueries.class, UsageRebuild.class, EfficiencyQueries.class,
        EnergyBalance.class, ReconciliationService.class, JwtDecoder.class })
public @interface MeteringWebSlice {

    Instant NOW = Instant.parse("2026-11-20T09:30:00Z");

    @TestConfiguration(proxyBeanMethods = false)
    class FixedClock {

        @Bean
        Clock clock() {
            return Clock.fixed(NOW, ZoneOffset.UTC);
        }

    }

}
