package org.jixiao;

/**
 * One problem: of a rulebook (indicator and line), a submission (the input at fault) or a
 * scorecard. {@code code} is stable; {@code message} is Chinese, {@code messageEn} English.
 * Fields that do not apply are null.
 */
public record Problem(String code, String message, String messageEn, String indicator, String input,
                      String kpi, String field, String file, Integer line, Integer column) {

    static Problem of(Json.Obj p) {
        return new Problem(p.string("code"), p.string("message"), p.string("message_en"),
                p.string("indicator"), p.string("input"), p.string("kpi"), p.string("field"),
                p.string("file"), integer(p, "line"), integer(p, "column"));
    }

    private static Integer integer(Json.Obj p, String name) {
        java.math.BigDecimal n = p.number(name);
        return n == null ? null : n.intValue();
    }
}
