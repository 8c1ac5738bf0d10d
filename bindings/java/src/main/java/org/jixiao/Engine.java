package org.jixiao;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A rulebook (指标体系) compiled for scoring. Compile once, score many submissions:
 *
 * <pre>{@code
 * try (Engine engine = Engine.fromPath(Path.of("rules/gov-it-post/rulebook.toml"))) {
 *     Scorecard card = engine.evaluate(submissionJson);
 *     card.total();   // 73.56
 *     card.grade();   // Optional[中]
 *     card.json();    // the scorecard JSON, byte for byte as every binding writes it
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> An engine may be used by any number of threads at once: scoring takes no
 * lock in the library. {@link #close()} waits for calls in progress to finish, and a call
 * after it throws {@link IllegalStateException} (it never touches freed memory). An engine
 * that is never closed is freed when it is garbage collected.
 */
public final class Engine implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The native engine, apart from the Java object, so that the cleaner can free it. */
    private static final class Handle implements Runnable {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private Pointer engine;

        Handle(Pointer engine) {
            this.engine = engine;
        }

        @Override
        public void run() {
            lock.writeLock().lock();
            try {
                if (engine != null) {
                    NativeLibrary.API.jixiao_engine_free(engine);
                    engine = null;
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    private Engine(Pointer engine) {
        this.handle = new Handle(engine);
        this.cleanable = CLEANER.register(this, handle);
    }

    /** Loads and compiles a rulebook file (.toml or .json), its script files read beside it. */
    public static Engine fromPath(Path rulebook) {
        PointerByReference engine = new PointerByReference();
        PointerByReference error = new PointerByReference();
        int status = NativeLibrary.API.jixiao_engine_from_path(
                NativeLibrary.utf8(rulebook.toAbsolutePath().toString()), engine, error);
        NativeLibrary.check(status, error);
        return new Engine(engine.getValue());
    }

    /**
     * Compiles a rulebook given as text: TOML, or JSON when it starts with {@code {}. Scripts
     * in separate files need {@link #fromPath}.
     */
    public static Engine fromText(String rulebook) {
        PointerByReference engine = new PointerByReference();
        PointerByReference error = new PointerByReference();
        int status = NativeLibrary.API.jixiao_engine_new(NativeLibrary.utf8(rulebook), engine, error);
        NativeLibrary.check(status, error);
        return new Engine(engine.getValue());
    }

    /** Scores one submission (its JSON text), trace on, in Chinese. */
    public Scorecard evaluate(String submission) {
        return evaluate(submission, EvalOptions.DEFAULT);
    }

    /**
     * Scores one submission (its JSON text). A bad value is no exception but a problem on the
     * scorecard; a text that is no submission throws {@link JixiaoException} ("submission").
     */
    public Scorecard evaluate(String submission, EvalOptions options) {
        PointerByReference card = new PointerByReference();
        PointerByReference error = new PointerByReference();
        String json;
        handle.lock.readLock().lock();
        try {
            int status = NativeLibrary.API.jixiao_evaluate(live(), NativeLibrary.utf8(submission),
                    NativeLibrary.utf8(options.json()), card, error);
            NativeLibrary.check(status, error);
            json = NativeLibrary.take(card);
        } finally {
            handle.lock.readLock().unlock();
        }
        return new Scorecard(json);
    }

    /** Scores a submission file, read as UTF-8 whatever the platform's encoding. */
    public Scorecard evaluateFile(Path submission, EvalOptions options) {
        try {
            return evaluate(Files.readString(submission, StandardCharsets.UTF_8), options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Scores many submissions (each its JSON text) on every core, in input order. A text that
     * is no submission is an item with its error; the others are scored.
     */
    public List<BatchItem> evaluateBatch(List<String> submissions, EvalOptions options) {
        StringBuilder lines = new StringBuilder();
        for (String s : submissions) {
            if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
                // One submission per line: line breaks inside JSON are whitespace, so they go.
                s = s.replace('\r', ' ').replace('\n', ' ');
            }
            lines.append(s.isBlank() ? "null" : s).append('\n');
        }
        PointerByReference results = new PointerByReference();
        PointerByReference error = new PointerByReference();
        Memory failed = new Memory(8);
        String text;
        handle.lock.readLock().lock();
        try {
            int status = NativeLibrary.API.jixiao_evaluate_batch(live(), NativeLibrary.utf8(lines.toString()),
                    NativeLibrary.utf8(options.json()), results, failed, error);
            NativeLibrary.check(status, error);
            text = NativeLibrary.take(results);
        } finally {
            handle.lock.readLock().unlock();
        }
        List<BatchItem> items = new ArrayList<>(submissions.size());
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            Json.Obj item = Json.parseObject(line);
            int index = item.number("index").intValue();
            Json.Obj card = item.object("scorecard");
            if (card != null) {
                items.add(new BatchItem(index, new Scorecard(card.source(), card), null));
            } else {
                Json.Obj e = item.object("error");
                items.add(new BatchItem(index, null, new JixiaoException(NativeLibrary.SUBMISSION,
                        e.string("kind"), e.string("code"), e.string("message"),
                        JixiaoException.problems(e.list("problems")), e.source())));
            }
        }
        if (items.size() != submissions.size()) {
            throw new IllegalStateException("jixiao: " + items.size() + " results for "
                    + submissions.size() + " submissions");
        }
        return Collections.unmodifiableList(items);
    }

    /**
     * The evaluator's form as JSON: the rulebook's id, version, hash, title, grade bands and
     * inputs (ids, Chinese labels, types, units, ranges) grouped by dimension.
     */
    public String formJson() {
        PointerByReference json = new PointerByReference();
        PointerByReference error = new PointerByReference();
        handle.lock.readLock().lock();
        try {
            NativeLibrary.check(NativeLibrary.API.jixiao_engine_form(live(), json, error), error);
            return NativeLibrary.take(json);
        } finally {
            handle.lock.readLock().unlock();
        }
    }

    /** The native library's version (the engine version scorecards carry). */
    public static String version() {
        return NativeLibrary.API.jixiao_version().getString(0, StandardCharsets.UTF_8.name());
    }

    /** Frees the native engine once calls in progress have finished. Closing twice is fine. */
    @Override
    public void close() {
        cleanable.clean();
    }

    private Pointer live() {
        if (handle.engine == null) {
            throw new IllegalStateException("jixiao: the engine is closed");
        }
        return handle.engine;
    }
}
