package org.jixiao;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A call the library refused: the rulebook does not compile ({@code kind} "rulebook", with
 * every problem's indicator and line), the text is no submission ("submission"), a file
 * cannot be read ("io"), the options are wrong ("argument"), or a bug was caught before it
 * could cross into Java ("internal"). Fields are the library's error JSON, the one form every
 * binding shares; {@link #json()} is that JSON as written.
 *
 * <p>A bad <em>value</em> in a submission is no exception: it is a problem on the scorecard
 * ({@link Scorecard#problems()}), naming its input.
 */
public final class JixiaoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String kind;
    private final String code;
    private final transient List<Problem> problems;
    private final String json;

    JixiaoException(int status, String kind, String code, String message, List<Problem> problems, String json) {
        super(message);
        this.status = status;
        this.kind = kind;
        this.code = code;
        this.problems = problems;
        this.json = json;
    }

    static JixiaoException fromNative(int status, String errorJson) {
        if (errorJson == null) {
            return new JixiaoException(status, "internal", "internal",
                    "jixiao 调用失败，状态码 " + status + " (the call failed with status " + status + ")",
                    Collections.emptyList(), null);
        }
        Json.Obj error = Json.parseObject(errorJson);
        return new JixiaoException(status, error.string("kind"), error.string("code"),
                error.string("message"), problems(error.list("problems")), errorJson);
    }

    static List<Problem> problems(List<Object> items) {
        List<Problem> out = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof Json.Obj) {
                out.add(Problem.of((Json.Obj) item));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The C status code ({@code JIXIAO_ERROR_RULEBOOK} = 3 …). */
    public int status() {
        return status;
    }

    /** "rulebook", "submission", "io", "argument" or "internal". */
    public String kind() {
        return kind;
    }

    /** The first problem's stable code ({@code toml_syntax}, {@code submission_syntax} …). */
    public String code() {
        return code;
    }

    /** Every problem, each with its code, message (zh, en) and where it is. */
    public List<Problem> problems() {
        return problems;
    }

    /** The error JSON as the library wrote it (null when it wrote none). */
    public String json() {
        return json;
    }
}
