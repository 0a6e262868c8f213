@NullMarked
package io.tokenfactory.gateway.routing.web;

import org.jspecify.annotations.NullMarked;
