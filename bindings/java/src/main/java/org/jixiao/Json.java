package org.jixiao;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON the native library writes (scorecards, errors, batch lines) into maps, lists,
 * strings, {@link BigDecimal}s, booleans and null, so that the jar needs nothing but JNA.
 * Strict (RFC 8259), and it keeps each object's text span so that a scorecard inside a batch
 * line is handed over byte for byte as the library wrote it.
 */
final class Json {
    private final String text;
    private int at;

    private Json(String text) {
        this.text = text;
    }

    /** A JSON object, and where in the text it was read from. */
    static final class Obj {
        final Map<String, Object> fields;
        private final String text;
        private final int start;
        private final int end;

        Obj(Map<String, Object> fields, String text, int start, int end) {
            this.fields = fields;
            this.text = text;
            this.start = start;
            this.end = end;
        }

        /** The object's text, exactly as it stood (copied only when asked for). */
        String source() {
            return text.substring(start, end);
        }

        Object get(String name) {
            return fields.get(name);
        }

        String string(String name) {
            Object v = fields.get(name);
            return v instanceof String ? (String) v : null;
        }

        BigDecimal number(String name) {
            Object v = fields.get(name);
            return v instanceof BigDecimal ? (BigDecimal) v : null;
        }

        boolean bool(String name) {
            return Boolean.TRUE.equals(fields.get(name));
        }

        Obj object(String name) {
            Object v = fields.get(name);
            return v instanceof Obj ? (Obj) v : null;
        }

        List<Object> list(String name) {
            Object v = fields.get(name);
            @SuppressWarnings("unchecked")
            List<Object> list = v instanceof List ? (List<Object>) v : Collections.emptyList();
            return list;
        }

        List<String> strings(String name) {
            List<String> out = new ArrayList<>();
            for (Object item : list(name)) {
                if (item instanceof String) {
                    out.add((String) item);
                }
            }
            return Collections.unmodifiableList(out);
        }
    }

    /** Parses one JSON value that must fill the whole text (whitespace aside). */
    static Object parse(String text) {
        Json json = new Json(text);
        json.skipSpace();
        Object value = json.value(0);
        json.skipSpace();
        if (json.at != text.length()) {
            throw json.fail("text after the JSON value");
        }
        return value;
    }

    static Obj parseObject(String text) {
        Object value = parse(text);
        if (!(value instanceof Obj)) {
            throw new IllegalArgumentException("expected a JSON object from the native library");
        }
        return (Obj) value;
    }

    private static final int MAX_DEPTH = 256;

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail("nested too deep");
        }
        if (at >= text.length()) {
            throw fail("unexpected end");
        }
        char c = text.charAt(at);
        switch (c) {
            case '{':
                return object(depth);
            case '[':
                return array(depth);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw fail("unexpected character");
        }
    }

    private Obj object(int depth) {
        int start = at;
        at++;
        Map<String, Object> fields = new LinkedHashMap<>();
        skipSpace();
        if (peek() == '}') {
            at++;
            return new Obj(fields, text, start, at);
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw fail("expected a key");
            }
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            fields.put(key, value(depth + 1));
            skipSpace();
            char c = next();
            if (c == '}') {
                return new Obj(fields, text, start, at);
            }
            if (c != ',') {
                throw fail("expected , or }");
            }
        }
    }

    private List<Object> array(int depth) {
        at++;
        List<Object> items = new ArrayList<>();
        skipSpace();
        if (peek() == ']') {
            at++;
            return items;
        }
        while (true) {
            skipSpace();
            items.add(value(depth + 1));
            skipSpace();
            char c = next();
            if (c == ']') {
                return items;
            }
            if (c != ',') {
                throw fail("expected , or ]");
            }
        }
    }

    private String string() {
        at++;
        // Most strings have no escape: taken as one piece.
        for (int i = at; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                String plain = text.substring(at, i);
                at = i + 1;
                return plain;
            }
            if (c == '\\' || c < 0x20) {
                break;
            }
        }
        StringBuilder out = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw fail("control character in a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"': out.append('"'); break;
                case '\\': out.append('\\'); break;
                case '/': out.append('/'); break;
                case 'b': out.append('\b'); break;
                case 'f': out.append('\f'); break;
                case 'n': out.append('\n'); break;
                case 'r': out.append('\r'); break;
                case 't': out.append('\t'); break;
                case 'u':
                    if (at + 4 > text.length()) {
                        throw fail("short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw fail("bad \\u escape");
                    }
                    at += 4;
                    break;
                default:
                    throw fail("bad escape");
            }
        }
    }

    private BigDecimal number() {
        int start = at;
        if (peek() == '-') {
            at++;
        }
        while (at < text.length()) {
            char c = text.charAt(at);
            if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
                break;
            }
            at++;
        }
        try {
            return new BigDecimal(text.substring(start, at));
        } catch (NumberFormatException ex) {
            throw fail("bad number");
        }
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw fail("unexpected word");
        }
        at += word.length();
        return value;
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            at++;
        }
    }

    private char peek() {
        return at < text.length() ? text.charAt(at) : '\0';
    }

    private char next() {
        if (at >= text.length()) {
            throw fail("unexpected end");
        }
        return text.charAt(at++);
    }

    private void expect(char c) {
        if (next() != c) {
            throw fail("expected " + c);
        }
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException("JSON from the native library: " + what + " at offset " + at);
    }
}
