package io.tokenfactory.billing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableAsync;

/** Departments, rate cards, the cost model, budgets and monthly chargeback statements. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableAsync
public class BillingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(BillingServiceApplication.class, args);
    }

}
