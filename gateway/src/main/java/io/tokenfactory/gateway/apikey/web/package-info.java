@NullMarked
package io.tokenfactory.gateway.apikey.web;

import org.jspecify.annotations.NullMarked;
