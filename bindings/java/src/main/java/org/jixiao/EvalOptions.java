package org.jixiao;

/**
 * How a submission is scored: {@code trace} records explanations and the values each script
 * read (on by default); {@code lang} is "zh-CN" (default) or "en" for the explanations.
 */
public record EvalOptions(boolean trace, String lang) {
    /** Trace on, Chinese: what the library does without options. */
    public static final EvalOptions DEFAULT = new EvalOptions(true, "zh-CN");

    public EvalOptions {
        if (!"zh-CN".equals(lang) && !"zh".equals(lang) && !"en".equals(lang)) {
            throw new IllegalArgumentException("lang 应为 zh-CN 或 en (lang must be zh-CN or en): " + lang);
        }
    }

    public EvalOptions withTrace(boolean trace) {
        return new EvalOptions(trace, lang);
    }

    public EvalOptions withLang(String lang) {
        return new EvalOptions(trace, lang);
    }

    String json() {
        return "{\"trace\":" + trace + ",\"lang\":\"" + ("zh".equals(lang) ? "zh-CN" : lang) + "\"}";
    }
}
