@NullMarked
package io.tokenfactory.gateway.sso;

import org.jspecify.annotations.NullMarked;
