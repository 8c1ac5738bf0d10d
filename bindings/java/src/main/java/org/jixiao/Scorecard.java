package org.jixiao;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One project's score. The typed fields are read from {@link #json()}, the scorecard JSON
 * byte for byte as the library (and the CLI, the WebAssembly package, the Python package)
 * writes it: keep or send that text, it is the record. The JSON is read on the first typed
 * access, so a caller that only stores {@code json()} pays nothing for the fields.
 */
public final class Scorecard {
    private final String json;
    private Json.Obj card;
    private List<Indicator> indicators;

    Scorecard(String json) {
        this.json = json;
    }

    Scorecard(String json, Json.Obj card) {
        this.json = json;
        this.card = card;
    }

    private synchronized Json.Obj card() {
        if (card == null) {
            card = Json.parseObject(json);
        }
        return card;
    }

    /** The total as printed (two decimals at most), exact. */
    public BigDecimal total() {
        return card().number("total");
    }

    /** The grade's label (优, 良, 中, 差 …); empty while the scorecard is incomplete. */
    public Optional<String> grade() {
        Json.Obj grade = card().object("grade");
        return grade == null ? Optional.empty() : Optional.ofNullable(grade.string("label"));
    }

    /** Every indicator scored or 不适用; false when required inputs are missing. */
    public boolean complete() {
        return card().bool("complete");
    }

    /** The project's id and name as the submission gave them (null where not given). */
    public String projectId() {
        Json.Obj project = card().object("project");
        return project == null ? null : project.string("id");
    }

    public String projectName() {
        Json.Obj project = card().object("project");
        return project == null ? null : project.string("name");
    }

    /** Every indicator in rulebook order: dimensions, groups and leaves. */
    public synchronized List<Indicator> indicators() {
        if (indicators == null) {
            List<Indicator> out = new ArrayList<>();
            for (Object item : card().list("indicators")) {
                if (item instanceof Json.Obj) {
                    out.add(Indicator.of((Json.Obj) item));
                }
            }
            indicators = Collections.unmodifiableList(out);
        }
        return indicators;
    }

    /** The indicator of this id, if the rulebook has one. */
    public Optional<Indicator> indicator(String id) {
        return indicators().stream().filter(i -> i.id().equals(id)).findFirst();
    }

    /** Every 扣分原因 of the scorecard, leaf by leaf. */
    public List<String> findings() {
        List<String> out = new ArrayList<>();
        for (Indicator i : indicators()) {
            out.addAll(i.findings());
        }
        return Collections.unmodifiableList(out);
    }

    /** The submission's problems (bad values, unknown inputs …). */
    public List<Problem> problems() {
        return JixiaoException.problems(card().list("problems"));
    }

    /** The scorecard JSON exactly as the library wrote it. */
    public String json() {
        return json;
    }

    @Override
    public String toString() {
        return "Scorecard[total=" + total() + ", grade=" + grade().orElse("—") + "]";
    }
}
