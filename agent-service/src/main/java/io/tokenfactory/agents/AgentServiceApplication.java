package io.tokenfactory.agents;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * Lifecycle of autonomous, always-on agents: definitions, schedules, supervision, runs.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableAsync
public class AgentServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(AgentServiceApplication.class, args);
    }

}
