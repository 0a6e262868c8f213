@NullMarked
package io.tokenfactory.support.csv;

import org.jspecify.annotations.NullMarked;
