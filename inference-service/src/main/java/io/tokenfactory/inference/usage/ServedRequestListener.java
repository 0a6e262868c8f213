package io.tokenfactory.inference.usage;

import io.tokenfactory.inference.energy.MeasuredEnergy;

/**
 * Told of every request once it has ended and once its energy is settled: routing learns
 * each deployment's latency and tokens per joule from it. Called on the serving or the
 * recording thread: keep it short and never throw.
 */
public interface ServedRequestListener {

    void served(FinishedRequest request);

    void settled(FinishedRequest request, MeasuredEnergy energy);

}
