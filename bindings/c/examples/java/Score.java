/*
 * Scoring projects from Java through JNA (Debian: apt install libjna-java), the way a
 * finance system (预算管理一体化系统) written in Java calls the jixiao native library.
 *
 *   cargo build --release -p jixiao-c
 *   javac -cp /usr/share/java/jna.jar -d /tmp/jixiao-java bindings/c/examples/java/Score.java
 *   java -cp /usr/share/java/jna.jar:/tmp/jixiao-java -Djna.library.path=target/release \
 *        Score rules/demo/rulebook.toml rules/demo/submissions/average.json
 *
 * Prints "total=<score> grade=<grade>" on the first line, then the scorecard JSON. A real
 * system parses the JSON with its own library (Jackson, Gson); this example stays
 * dependency-free.
 */
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class Score {
    /** The C functions of include/jixiao.h. Strings go in as UTF-8 (see the library options). */
    public interface Jixiao extends Library {
        int JIXIAO_OK = 0;

        String jixiao_version();

        int jixiao_engine_from_path(String path, PointerByReference outEngine, PointerByReference outError);

        int jixiao_engine_new(String rulebook, PointerByReference outEngine, PointerByReference outError);

        void jixiao_engine_free(Pointer engine);

        int jixiao_evaluate(Pointer engine, String submission, String options,
                            PointerByReference outScorecard, PointerByReference outError);

        void jixiao_string_free(Pointer s);
    }

    /** Loaded once; JNA's UTF-8 option makes Java strings cross the boundary as UTF-8. */
    static final Jixiao LIB = Native.load("jixiao", Jixiao.class,
            java.util.Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    /** Takes a library-owned string, copies it into Java and frees the original. */
    static String take(PointerByReference ref) {
        Pointer p = ref.getValue();
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            LIB.jixiao_string_free(p);
        }
    }

    /** A jixiao call that failed, carrying the library's error JSON. */
    static final class JixiaoException extends RuntimeException {
        final int status;

        JixiaoException(int status, String errorJson) {
            super("jixiao status " + status + ": " + errorJson);
            this.status = status;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Score RULEBOOK SUBMISSION.json");
            System.exit(2);
        }
        PointerByReference engineRef = new PointerByReference();
        PointerByReference error = new PointerByReference();
        int status = LIB.jixiao_engine_from_path(args[0], engineRef, error);
        if (status != Jixiao.JIXIAO_OK) {
            throw new JixiaoException(status, take(error));
        }
        Pointer engine = engineRef.getValue();
        try {
            String submission = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
            PointerByReference card = new PointerByReference();
            status = LIB.jixiao_evaluate(engine, submission, "{\"trace\":true,\"lang\":\"zh-CN\"}", card, error);
            if (status != Jixiao.JIXIAO_OK) {
                throw new JixiaoException(status, take(error));
            }
            String json = take(card);
            System.out.println("total=" + topLevel(json, "total") + " grade=" + grade(json));
            System.out.println(json);
        } finally {
            LIB.jixiao_engine_free(engine);
        }
    }

    /** The number after the first "key": — top-level keys come before any nested ones. */
    static String topLevel(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":(-?[0-9.eE+-]+)").matcher(json);
        return m.find() ? m.group(1) : "?";
    }

    static String grade(String json) {
        Matcher m = Pattern.compile("\"grade\":(null|\\{\"label\":\"([^\"]*)\")").matcher(json);
        return m.find() ? (m.group(2) != null ? m.group(2) : "-") : "?";
    }
}
