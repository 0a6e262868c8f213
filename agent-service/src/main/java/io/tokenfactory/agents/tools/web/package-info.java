@NullMarked
package io.tokenfactory.agents.tools.web;

import org.jspecify.annotations.NullMarked;
