/** The FOCUS export API. */
@NullMarked
package io.tokenfactory.billing.focus.web;

import org.jspecify.annotations.NullMarked;
