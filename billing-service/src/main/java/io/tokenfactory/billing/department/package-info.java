@NullMarked
package io.tokenfactory.billing.department;

import org.jspecify.annotations.NullMarked;
