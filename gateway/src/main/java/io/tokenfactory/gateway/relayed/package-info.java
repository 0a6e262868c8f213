@NullMarked
package io.tokenfactory.gateway.relayed;

import org.jspecify.annotations.NullMarked;
