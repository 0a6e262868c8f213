@NullMarked
package io.tokenfactory.gateway.console;

import org.jspecify.annotations.NullMarked;
