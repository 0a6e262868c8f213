/** The carbon intensity API. */
@NullMarked
package io.tokenfactory.metering.carbon.web;

import org.jspecify.annotations.NullMarked;
