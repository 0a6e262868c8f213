@NullMarked
package io.tokenfactory.gateway.relayed.web;

import org.jspecify.annotations.NullMarked;
