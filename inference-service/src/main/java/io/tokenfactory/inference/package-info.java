@NullMarked
package io.tokenfactory.inference;

import org.jspecify.annotations.NullMarked;
