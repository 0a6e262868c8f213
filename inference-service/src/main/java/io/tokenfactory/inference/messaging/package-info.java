@NullMarked
package io.tokenfactory.inference.messaging;

import org.jspecify.annotations.NullMarked;
