@NullMarked
package io.tokenfactory.gateway.web;

import org.jspecify.annotations.NullMarked;
