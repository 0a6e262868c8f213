@NullMarked
package io.tokenfactory.agents.security;

import org.jspecify.annotations.NullMarked;
