/**
 * A fair share of the factory: weighted fair queuing per department, with interactive
 * work ahead of batch work within a department, in front of the local engines' batches
 * ({@link io.tokenfactory.inference.fairshare.FairQueue}) and of the remote servers'
 * concurrency ({@link io.tokenfactory.inference.fairshare.ConcurrencyLimit}).
 */
@NullMarked
package io.tokenfactory.inference.fairshare;

import org.jspecify.annotations.NullMarked;
