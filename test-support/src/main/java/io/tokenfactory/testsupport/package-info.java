@NullMarked
package io.tokenfactory.testsupport;

import org.jspecify.annotations.NullMarked;
