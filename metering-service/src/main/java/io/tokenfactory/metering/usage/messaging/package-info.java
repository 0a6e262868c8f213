@NullMarked
package io.tokenfactory.metering.usage.messaging;

import org.jspecify.annotations.NullMarked;
