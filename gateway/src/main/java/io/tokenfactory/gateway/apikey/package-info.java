@NullMarked
package io.tokenfactory.gateway.apikey;

import org.jspecify.annotations.NullMarked;
