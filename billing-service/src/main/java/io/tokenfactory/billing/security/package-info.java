@NullMarked
package io.tokenfactory.billing.security;

import org.jspecify.annotations.NullMarked;
