@NullMarked
package io.tokenfactory.billing.alert.web;

import org.jspecify.annotations.NullMarked;
