@NullMarked
package io.tokenfactory.agents;

import org.jspecify.annotations.NullMarked;
