@NullMarked
package io.tokenfactory.inference.web;

import org.jspecify.annotations.NullMarked;
