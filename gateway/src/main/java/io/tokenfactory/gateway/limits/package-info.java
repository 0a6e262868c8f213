@NullMarked
package io.tokenfactory.gateway.limits;

import org.jspecify.annotations.NullMarked;
