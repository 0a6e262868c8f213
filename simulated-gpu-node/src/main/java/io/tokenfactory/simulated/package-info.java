@NullMarked
package io.tokenfactory.simulated;

import org.jspecify.annotations.NullMarked;
