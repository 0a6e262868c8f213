@NullMarked
package io.tokenfactory.metering.reconciliation.web;

import org.jspecify.annotations.NullMarked;
