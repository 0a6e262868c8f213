@NullMarked
package io.tokenfactory.metering.energy.messaging;

import org.jspecify.annotations.NullMarked;
