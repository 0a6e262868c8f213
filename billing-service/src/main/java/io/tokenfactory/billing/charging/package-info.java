@NullMarked
package io.tokenfactory.billing.charging;

import org.jspecify.annotations.NullMarked;
