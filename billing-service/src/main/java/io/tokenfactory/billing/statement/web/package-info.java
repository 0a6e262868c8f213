@NullMarked
package io.tokenfactory.billing.statement.web;

import org.jspecify.annotations.NullMarked;
