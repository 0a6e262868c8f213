@NullMarked
package io.tokenfactory.contracts;

import org.jspecify.annotations.NullMarked;
