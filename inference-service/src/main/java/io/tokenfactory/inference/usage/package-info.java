@NullMarked
package io.tokenfactory.inference.usage;

import org.jspecify.annotations.NullMarked;
