/**
 * The capacity view: per node and deployment, how busy each was, what it made per second,
 * per joule and per unit of money, and what waits for it now — which nodes earn their
 * power.
 */
@NullMarked
package io.tokenfactory.inference.capacity;

import org.jspecify.annotations.NullMarked;
