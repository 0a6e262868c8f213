@NullMarked
package io.tokenfactory.support.events;

import org.jspecify.annotations.NullMarked;
