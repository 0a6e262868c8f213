@NullMarked
package io.tokenfactory.support.security;

import org.jspecify.annotations.NullMarked;
