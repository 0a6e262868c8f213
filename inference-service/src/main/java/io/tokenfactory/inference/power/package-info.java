/**
 * Power caps: budgets in watts for the factory, a site or a node, held by deferring batch
 * work and then queueing interactive work while the measured draw is near them.
 */
@NullMarked
package io.tokenfactory.inference.power;

import org.jspecify.annotations.NullMarked;
