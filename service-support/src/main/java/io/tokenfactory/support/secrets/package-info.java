@NullMarked
package io.tokenfactory.support.secrets;

import org.jspecify.annotations.NullMarked;
