@NullMarked
package io.tokenfactory.agents.runs;

import org.jspecify.annotations.NullMarked;
