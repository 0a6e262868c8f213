@NullMarked
package io.tokenfactory.agents.definition;

import org.jspecify.annotations.NullMarked;
