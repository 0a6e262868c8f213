@NullMarked
package io.tokenfactory.inference.generation.training;

import org.jspecify.annotations.NullMarked;
