@NullMarked
package io.tokenfactory.metering.usage;

import org.jspecify.annotations.NullMarked;
