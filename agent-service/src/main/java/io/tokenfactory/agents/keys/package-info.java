@NullMarked
package io.tokenfactory.agents.keys;

import org.jspecify.annotations.NullMarked;
