@NullMarked
package io.tokenfactory.gateway.apikey.messaging;

import org.jspecify.annotations.NullMarked;
