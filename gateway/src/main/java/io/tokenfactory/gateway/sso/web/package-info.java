@NullMarked
package io.tokenfactory.gateway.sso.web;

import org.jspecify.annotations.NullMarked;
