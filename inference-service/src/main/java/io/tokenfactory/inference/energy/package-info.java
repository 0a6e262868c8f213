@NullMarked
package io.tokenfactory.inference.energy;

import org.jspecify.annotations.NullMarked;
