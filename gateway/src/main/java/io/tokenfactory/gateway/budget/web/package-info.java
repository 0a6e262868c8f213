@NullMarked
package io.tokenfactory.gateway.budget.web;

import org.jspecify.annotations.NullMarked;
