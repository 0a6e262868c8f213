@NullMarked
package io.tokenfactory.embedded;

import org.jspecify.annotations.NullMarked;
