package io.tokenfactory.billing.department;

/**
 * Whether a department pays for what it uses.
 */
public enum BillingMode {

    /** Its statements are invoices: the general-ledger journal debits its cost centre. */
    CHARGEBACK,
    /**
     * Its statements show what it used and what that would cost, marked not payable, and
     * stay out of the journal's receivables. Budgets, alerts and hard caps still apply.
     */
    SHOWBACK

}
