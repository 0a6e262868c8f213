@NullMarked
package io.tokenfactory.metering.efficiency.web;

import org.jspecify.annotations.NullMarked;
