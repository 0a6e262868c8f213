package io.tokenfactory.gateway;

import io.tokenfactory.support.audit.AuditConfiguration;

import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.ComponentScan;
import org.springframework.context.annotation.FilterType;
import org.springframework.context.annotation.Import;

/**
 * The gateway's {@code admin-key} command ({@code java -jar gateway.jar admin-key},
 * behind {@code ./factory admin-key}): a small context of its own — the database, the key
 * pepper, the audit trail; no server, no consumer, no timer — in which the
 * {@code admin-key} profile's one {@link Runnable} (the key package's recovery) issues
 * the key. The classes are found by name, so this class needs no other package's types.
 */
@ImportAutoConfiguration({ DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
        JdbcTemplateAutoConfiguration.class, TransactionAutoConfiguration.class })
@EnableConfigurationProperties(GatewayProperties.class)
@Import({ ClockConfiguration.class, AuditConfiguration.class })
@ComponentScan(basePackages = "io.tokenfactory.gateway.apikey", useDefaultFilters = false,
        includeFilters = @ComponentScan.Filter(type = FilterType.REGEX,
                pattern = { ".*\\.AdminKeyRecovery", ".*\\.ApiKeySecrets" }))
class AdminKeyCommand {

    static final String NAME = "admin-key";

    private AdminKeyCommand() {
    }

    /** Issues the key; returns the process's exit code. */
    static int run(String[] args) {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(AdminKeyCommand.class)
            .web(WebApplicationType.NONE)
            .bannerMode(Banner.Mode.OFF)
            .logStartupInfo(false)
            .profiles(NAME)
            .run(args)) {
            context.getBean(Runnable.class).run();
            return 0;
        }
    }

}
