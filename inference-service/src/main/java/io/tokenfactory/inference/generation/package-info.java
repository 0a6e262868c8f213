@NullMarked
package io.tokenfactory.inference.generation;

import org.jspecify.annotations.NullMarked;
