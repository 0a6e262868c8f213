@NullMarked
package io.tokenfactory.agents.tools;

import org.jspecify.annotations.NullMarked;
