@NullMarked
package io.tokenfactory.agents.definition.web;

import org.jspecify.annotations.NullMarked;
