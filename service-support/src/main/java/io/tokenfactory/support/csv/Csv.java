package io.tokenfactory.support.csv;

import java.math.BigDecimal;
import java.util.List;

/**
 * CSV as spreadsheets read it (RFC 4180): every text cell quoted, and a cell that a
 * spreadsheet would run as a formula (starting with =, +, -, @) prefixed with an
 * apostrophe.
 */
public final class Csv {

    private final StringBuilder text = new StringBuilder();

    public Csv row(List<?> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                text.append(',');
            }
            Object cell = cells.get(i);
            if (cell == null) {
                continue;
            }
            if (cell instanceof Number) {
                text.append(cell instanceof BigDecimal decimal ? decimal.toPlainString() : cell.toString());
            }
            else {
                String value = cell.toString();
                if (!value.isEmpty() && "=+-@\t\r".indexOf(value.charAt(0)) >= 0) {
                    value = "'" + value;
                }
                text.append('"').append(value.replace("\"", "\"\"")).append('"');
            }
        }
        text.append("\r\n");
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

}
