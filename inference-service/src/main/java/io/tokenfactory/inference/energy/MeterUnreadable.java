package io.tokenfactory.inference.energy;

/**
 * The meter gave no usable reading now (unreachable, garbage, implausible): the window
 * becomes a labelled gap.
 */
class MeterUnreadable extends RuntimeException {

    MeterUnreadable(String reason) {
        super(reason, null, false, false);
    }

}
