import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.jixiao.EvalOptions;
import org.jixiao.Engine;

/** Per-call cost of Engine.evaluate from Java (JNA), as overhead.c measures C's: best of 5
 * rounds after a warm-up. Prints microseconds per call for json() only and with the typed
 * total read. Overhead RULEBOOK SUBMISSION CALLS */
public final class Overhead {
    public static void main(String[] args) throws Exception {
        long calls = Long.parseLong(args[2]);
        String submission = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
        EvalOptions options = EvalOptions.DEFAULT.withTrace(false);
        try (Engine engine = Engine.fromPath(Path.of(args[0]))) {
            for (int i = 0; i < calls; i++) {
                engine.evaluate(submission, options).json();
            }
            double raw = 1e9;
            double typed = 1e9;
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                for (long i = 0; i < calls; i++) {
                    engine.evaluate(submission, options).json();
                }
                raw = Math.min(raw, (System.nanoTime() - start) / 1e3 / calls);
                start = System.nanoTime();
                for (long i = 0; i < calls; i++) {
                    engine.evaluate(submission, options).total();
                }
                typed = Math.min(typed, (System.nanoTime() - start) / 1e3 / calls);
            }
            System.out.printf("%.2f %.2f%n", raw, typed);
        }
    }
}
