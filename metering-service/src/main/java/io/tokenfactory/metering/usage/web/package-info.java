@NullMarked
package io.tokenfactory.metering.usage.web;

import org.jspecify.annotations.NullMarked;
