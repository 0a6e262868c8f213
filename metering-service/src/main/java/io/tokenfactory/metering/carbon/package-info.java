/**
 * Grid carbon intensity, effective-dated per node, site or factory, and the
 * location-based emissions of metered energy.
 */
@NullMarked
package io.tokenfactory.metering.carbon;

import org.jspecify.annotations.NullMarked;
