@NullMarked
package io.tokenfactory.metering.energy.web;

import org.jspecify.annotations.NullMarked;
