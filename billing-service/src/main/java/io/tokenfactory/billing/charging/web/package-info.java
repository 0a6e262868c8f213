@NullMarked
package io.tokenfactory.billing.charging.web;

import org.jspecify.annotations.NullMarked;
