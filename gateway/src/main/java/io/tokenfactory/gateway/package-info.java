@NullMarked
package io.tokenfactory.gateway;

import org.jspecify.annotations.NullMarked;
