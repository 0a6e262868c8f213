@NullMarked
package io.tokenfactory.gateway.budget;

import org.jspecify.annotations.NullMarked;
