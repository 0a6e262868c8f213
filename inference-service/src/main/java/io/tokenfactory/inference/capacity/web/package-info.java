/** The capacity view's API. */
@NullMarked
package io.tokenfactory.inference.capacity.web;

import org.jspecify.annotations.NullMarked;
