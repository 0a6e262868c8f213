@NullMarked
package io.tokenfactory.billing.department.web;

import org.jspecify.annotations.NullMarked;
