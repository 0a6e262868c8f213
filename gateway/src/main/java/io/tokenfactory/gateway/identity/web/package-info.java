@NullMarked
package io.tokenfactory.gateway.identity.web;

import org.jspecify.annotations.NullMarked;
