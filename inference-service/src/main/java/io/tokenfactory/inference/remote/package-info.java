@NullMarked
package io.tokenfactory.inference.remote;

import org.jspecify.annotations.NullMarked;
