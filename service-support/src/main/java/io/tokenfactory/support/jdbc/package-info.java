@NullMarked
package io.tokenfactory.support.jdbc;

import org.jspecify.annotations.NullMarked;
