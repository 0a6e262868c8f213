@NullMarked
package io.tokenfactory.support.lifecycle;

import org.jspecify.annotations.NullMarked;
