@NullMarked
package io.tokenfactory.billing;

import org.jspecify.annotations.NullMarked;
