@NullMarked
package io.tokenfactory.support.problem;

import org.jspecify.annotations.NullMarked;
