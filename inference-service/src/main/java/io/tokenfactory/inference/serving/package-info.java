@NullMarked
package io.tokenfactory.inference.serving;

import org.jspecify.annotations.NullMarked;
