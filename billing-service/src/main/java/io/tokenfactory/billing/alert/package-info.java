@NullMarked
package io.tokenfactory.billing.alert;

import org.jspecify.annotations.NullMarked;
