package io.tokenfactory.billing.alert;

/** What a webhook subscription can be told of. */
public enum AlertKind {

    /** A department's spend reached its soft-alert threshold. */
    BUDGET_WARNING,
    /** A department's spend reached its budget. */
    BUDGET_EXCEEDED,
    /** A department is within its budget again (raised, or a new month). */
    BUDGET_OK,
    /** agent-service paused an agent because its department's budget is exceeded. */
    AGENT_PAUSED_BY_BUDGET,
    /** A billing month was closed into statements. */
    MONTH_CLOSED

}
