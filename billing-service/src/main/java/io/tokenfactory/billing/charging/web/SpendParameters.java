package io.tokenfactory.billing.charging.web;

import java.time.YearMonth;

/** A spend's query parameter: the month ({@code yyyy-MM}), this one when left out. */
record SpendParameters(YearMonth period) {

    YearMonth periodOr(YearMonth current) {
        return period == null ? current : period;
    }
}
