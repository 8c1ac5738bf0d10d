package org.jixiao;

import java.math.BigDecimal;
import java.util.List;

/**
 * One indicator of a scorecard: a dimension (一级指标), a group or a leaf, in rulebook order.
 *
 * @param parent      the parent's id (null for a dimension)
 * @param score       null where not scored (unscored, 不适用 or an error)
 * @param status      "scored", "unscored", "partial", "not_applicable" or "error"
 * @param explanation how the score came about (null when the trace was off)
 * @param findings    each 扣分原因 as printed
 * @param missing     ids of the required inputs an unscored leaf waits for
 */
public record Indicator(String id, String parent, int level, boolean leaf, String label,
                        BigDecimal points, BigDecimal score, String status, String explanation,
                        List<String> findings, List<String> missing) {

    static Indicator of(Json.Obj i) {
        List<String> findings = new java.util.ArrayList<>();
        for (Object f : i.list("findings")) {
            if (f instanceof Json.Obj) {
                findings.add(((Json.Obj) f).string("message"));
            }
        }
        BigDecimal level = i.number("level");
        return new Indicator(i.string("id"), i.string("parent"), level == null ? 0 : level.intValue(),
                i.bool("leaf"), i.string("label"), i.number("points"), i.number("score"),
                i.string("status"), i.string("explanation"), List.copyOf(findings),
                i.strings("missing"));
    }
}
