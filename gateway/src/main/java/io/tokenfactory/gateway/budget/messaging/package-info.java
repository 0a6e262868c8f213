@NullMarked
package io.tokenfactory.gateway.budget.messaging;

import org.jspecify.annotations.NullMarked;
