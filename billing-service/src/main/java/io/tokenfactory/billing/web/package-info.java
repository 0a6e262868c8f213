@NullMarked
package io.tokenfactory.billing.web;

import org.jspecify.annotations.NullMarked;
