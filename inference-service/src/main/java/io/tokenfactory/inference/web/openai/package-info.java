@NullMarked
package io.tokenfactory.inference.web.openai;

import org.jspecify.annotations.NullMarked;
