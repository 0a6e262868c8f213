@NullMarked
package io.tokenfactory.metering.efficiency;

import org.jspecify.annotations.NullMarked;
