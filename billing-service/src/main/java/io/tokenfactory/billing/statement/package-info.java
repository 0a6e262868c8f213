@NullMarked
package io.tokenfactory.billing.statement;

import org.jspecify.annotations.NullMarked;
