package io.tokenfactory.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The one front door: every department, person and agent reaches the factory through
 * here.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        if (args.length > 0 && AdminKeyCommand.NAME.equals(args[0])) {
            // an operator's command: a new admin key, then exit (docs/security.md)
            System.exit(AdminKeyCommand.run(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        SpringApplication.run(GatewayApplication.class, args);
    }

}
