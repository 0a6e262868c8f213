@NullMarked
package io.tokenfactory.billing.pricing;

import org.jspecify.annotations.NullMarked;
