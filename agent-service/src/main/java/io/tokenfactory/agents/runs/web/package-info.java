@NullMarked
package io.tokenfactory.agents.runs.web;

import org.jspecify.annotations.NullMarked;
