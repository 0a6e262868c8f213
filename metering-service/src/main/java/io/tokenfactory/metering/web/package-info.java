@NullMarked
package io.tokenfactory.metering.web;

import org.jspecify.annotations.NullMarked;
