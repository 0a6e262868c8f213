@NullMarked
package io.tokenfactory.inference.catalog;

import org.jspecify.annotations.NullMarked;
