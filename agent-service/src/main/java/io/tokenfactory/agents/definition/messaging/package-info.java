@NullMarked
package io.tokenfactory.agents.definition.messaging;

import org.jspecify.annotations.NullMarked;
