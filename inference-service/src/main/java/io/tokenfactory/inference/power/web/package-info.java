/** The power caps' API: set, read and remove them. */
@NullMarked
package io.tokenfactory.inference.power.web;

import org.jspecify.annotations.NullMarked;
