@NullMarked
package io.tokenfactory.metering.energy;

import org.jspecify.annotations.NullMarked;
