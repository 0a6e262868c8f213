@NullMarked
package io.tokenfactory.billing.charging.messaging;

import org.jspecify.annotations.NullMarked;
