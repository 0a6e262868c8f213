@NullMarked
package io.tokenfactory.billing.alert.messaging;

import org.jspecify.annotations.NullMarked;
