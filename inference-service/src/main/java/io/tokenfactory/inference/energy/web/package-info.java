@NullMarked
package io.tokenfactory.inference.energy.web;

import org.jspecify.annotations.NullMarked;
