/** Cost tags: the team, project and other keys usage is charged to below a department. */
@NullMarked
package io.tokenfactory.support.tags;

import org.jspecify.annotations.NullMarked;
