@NullMarked
package io.tokenfactory.metering;

import org.jspecify.annotations.NullMarked;
