@NullMarked
package io.tokenfactory.agents.web;

import org.jspecify.annotations.NullMarked;
