package io.tokenfactory.billing.department;

/**
 * How a department is charged: the models' list prices, or the platform's cost plus a
 * margin.
 */
public enum PricingMode {

    LIST_PRICE, COST_PLUS

}
