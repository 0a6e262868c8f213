@NullMarked
package io.tokenfactory.billing.pricing.web;

import org.jspecify.annotations.NullMarked;
