@NullMarked
package io.tokenfactory.gateway.identity;

import org.jspecify.annotations.NullMarked;
