@NullMarked
package io.tokenfactory.inference.embedding;

import org.jspecify.annotations.NullMarked;
