@NullMarked
package io.tokenfactory.metering.reconciliation;

import org.jspecify.annotations.NullMarked;
