@NullMarked
package io.tokenfactory.gateway.routing;

import org.jspecify.annotations.NullMarked;
