@NullMarked
package io.tokenfactory.agents.messaging;

import org.jspecify.annotations.NullMarked;
