package io.tokenfactory.metering.carbon;

/** What a carbon intensity covers; the most specific one in force wins. */
public enum CarbonScope {

    /** One node. */
    NODE,
    /** Every node of a site ({@code tokenfactory.metering.energy.sites}). */
    SITE,
    /** Every node without a node or site intensity. */
    FACTORY

}
