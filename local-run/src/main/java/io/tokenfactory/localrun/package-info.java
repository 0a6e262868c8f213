@NullMarked
package io.tokenfactory.localrun;

import org.jspecify.annotations.NullMarked;
