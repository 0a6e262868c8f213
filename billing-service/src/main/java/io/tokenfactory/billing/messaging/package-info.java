@NullMarked
package io.tokenfactory.billing.messaging;

import org.jspecify.annotations.NullMarked;
