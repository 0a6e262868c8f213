@NullMarked
package io.tokenfactory.inference.usage.web;

import org.jspecify.annotations.NullMarked;
