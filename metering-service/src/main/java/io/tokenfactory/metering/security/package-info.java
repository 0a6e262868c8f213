@NullMarked
package io.tokenfactory.metering.security;

import org.jspecify.annotations.NullMarked;
