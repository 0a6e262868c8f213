/**
 * Charges in the FinOps Open Cost and Usage Specification (FOCUS 1.2) columns, for FinOps
 * tools.
 */
@NullMarked
package io.tokenfactory.billing.focus;

import org.jspecify.annotations.NullMarked;
