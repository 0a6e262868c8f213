@NullMarked
package io.tokenfactory.gateway.security;

import org.jspecify.annotations.NullMarked;
