package io.tokenfactory.contracts;

/** Where a department stands against its budget in the open period. */
public enum BudgetState {

    OK, WARNING, EXCEEDED

}
