package io.tokenfactory.billing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Departments, rate cards, the cost model, budgets and monthly chargeback statements. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class BillingServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(BillingServiceApplication.class, args);
    }
}
