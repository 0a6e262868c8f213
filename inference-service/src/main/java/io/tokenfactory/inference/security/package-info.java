@NullMarked
package io.tokenfactory.inference.security;

import org.jspecify.annotations.NullMarked;
