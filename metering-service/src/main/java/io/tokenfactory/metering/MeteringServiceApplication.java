package io.tokenfactory.metering;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * Tokens, power and energy: idempotent ingestion, rollups, tokens per joule, cost per
 * token.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableAsync
public class MeteringServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(MeteringServiceApplication.class, args);
    }

}
