@NullMarked
package io.tokenfactory.metering.messaging;

import org.jspecify.annotations.NullMarked;
