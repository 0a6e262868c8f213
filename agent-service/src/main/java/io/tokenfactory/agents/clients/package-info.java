@NullMarked
package io.tokenfactory.agents.clients;

import org.jspecify.annotations.NullMarked;
