package org.jixiao;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * The Java library against the shared vectors (tests/vectors/) and the C ABI's promises:
 * scorecards byte for byte as native, typed fields read from them, errors as exceptions with
 * the library's fields, one engine shared by threads, and UTF-8 whatever the platform's
 * encoding (scripts/test.d/35-java.sh runs this under LC_ALL=C).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EngineTest {
    static final Path ROOT = Path.of(System.getProperty("jixiao.root", "../..")).toAbsolutePath().normalize();

    static String read(String rel) throws Exception {
        return Files.readString(ROOT.resolve(rel), StandardCharsets.UTF_8);
    }

    @TestFactory
    Stream<DynamicTest> everyVectorScoresByteForByteAsNative() throws Exception {
        Json.Obj manifest = Json.parseObject(read("tests/vectors/manifest.json"));
        List<DynamicTest> tests = new ArrayList<>();
        for (Object item : manifest.list("vectors")) {
            Json.Obj v = (Json.Obj) item;
            tests.add(DynamicTest.dynamicTest(v.string("name"), () -> {
                try (Engine engine = Engine.fromText(read(v.string("rulebook_json")))) {
                    Scorecard card = engine.evaluate(read(v.string("submission")));
                    assertEquals(read(v.string("expected")).strip(), card.json());
                }
            }));
        }
        assertEquals(15, tests.size());
        return tests.stream();
    }

    @Test
    void typedFieldsAreTheJsonsAndChineseSurvivesAnyPlatformEncoding() throws Exception {
        if ("C".equals(System.getenv("LC_ALL"))) {
            // The condition the issue reported: Java's default encoding is ASCII here.
            assertNotEquals(StandardCharsets.UTF_8, Charset.defaultCharset());
        }
        try (Engine engine = Engine.fromPath(ROOT.resolve("rules/gov-it-post/rulebook.toml"))) {
            Scorecard card = engine.evaluateFile(ROOT.resolve("rules/gov-it-post/examples/average.json"),
                    EvalOptions.DEFAULT);
            assertEquals(new BigDecimal("73.56"), card.total());
            assertEquals("中", card.grade().orElseThrow());
            assertTrue(card.complete());
            assertEquals("区城市运行管理中心（一期）", card.projectName());
            assertTrue(card.problems().isEmpty());
            Json.Obj raw = Json.parseObject(card.json());
            List<Object> indicators = raw.list("indicators");
            assertEquals(indicators.size(), card.indicators().size());
            for (int i = 0; i < indicators.size(); i++) {
                Json.Obj want = (Json.Obj) indicators.get(i);
                Indicator got = card.indicators().get(i);
                assertEquals(want.string("id"), got.id());
                assertEquals(want.number("score"), got.score());
                assertEquals(want.string("status"), got.status());
            }
            assertFalse(card.findings().isEmpty());
            assertTrue(card.indicator("decision").isPresent());
            // English explanations, trace off: the same total.
            Scorecard en = engine.evaluate(read("rules/gov-it-post/examples/average.json"),
                    EvalOptions.DEFAULT.withTrace(false).withLang("en"));
            assertEquals(card.total(), en.total());
            assertTrue(engine.formJson().contains("\"id\":\"gov-it-post\""));
        }
        assertTrue(Engine.version().matches("\\d+\\.\\d+\\.\\d+.*"));
    }

    @Test
    void errorsAreExceptionsWithTheLibrarysFields() throws Exception {
        JixiaoException rulebook = assertThrows(JixiaoException.class,
                () -> Engine.fromText("id = \"x\"\n[[indicators]]\nid = \n"));
        assertEquals("rulebook", rulebook.kind());
        assertEquals(3, rulebook.status());
        assertFalse(rulebook.problems().isEmpty());
        assertEquals(3, rulebook.problems().get(0).line());
        assertTrue(rulebook.json().startsWith("{\"kind\":\"rulebook\""));

        JixiaoException io = assertThrows(JixiaoException.class,
                () -> Engine.fromPath(ROOT.resolve("no/such/rulebook.toml")));
        assertEquals("io", io.kind());

        try (Engine engine = Engine.fromPath(ROOT.resolve("rules/demo/rulebook.toml"))) {
            JixiaoException sub = assertThrows(JixiaoException.class, () -> engine.evaluate("[1, 2]"));
            assertEquals("submission", sub.kind());
            assertEquals("submission_syntax", sub.code());
            // A bad value is no exception: a problem on the scorecard, naming its input.
            Scorecard card = engine.evaluate("{\"values\": {\"budget_requested\": \"abc\"}}");
            assertEquals("budget_requested", card.problems().get(0).input());
            assertFalse(card.complete());
            assertTrue(card.grade().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> EvalOptions.DEFAULT.withLang("fr"));
        }
    }

    @Test
    void aBatchKeepsOrderAndABadItemFailsAlone() throws Exception {
        try (Engine engine = Engine.fromPath(ROOT.resolve("rules/demo/rulebook.toml"))) {
            List<String> subs = new ArrayList<>();
            for (String name : List.of("strong", "average", "weak")) {
                subs.add(read("rules/demo/submissions/" + name + ".json"));
            }
            subs.add(1, "not json");
            subs.add("");
            List<BatchItem> items = engine.evaluateBatch(subs, EvalOptions.DEFAULT);
            assertEquals(5, items.size());
            assertEquals("submission_syntax", items.get(1).error().code());
            assertNull(items.get(1).scorecard());
            assertFalse(items.get(4).ok());
            for (int i : new int[] {0, 2, 3}) {
                assertEquals(i, items.get(i).index());
                // Byte for byte as one by one.
                assertEquals(engine.evaluate(subs.get(i)).json(), items.get(i).scorecard().json());
            }
        }
    }

    @Test
    void threadsShareOneEngineAndCloseWaitsForThem() throws Exception {
        Engine engine = Engine.fromPath(ROOT.resolve("rules/gov-it-post/rulebook.toml"));
        String sub = read("rules/gov-it-post/examples/weak.json");
        String want = engine.evaluate(sub).json();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> runs = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(8);
        AtomicInteger closedSeen = new AtomicInteger();
        for (int t = 0; t < 8; t++) {
            runs.add(pool.submit(() -> {
                started.countDown();
                int same = 0;
                for (int i = 0; i < 200; i++) {
                    try {
                        if (engine.evaluate(sub).json().equals(want)) {
                            same++;
                        }
                    } catch (IllegalStateException closed) {
                        // Closed by the main thread meanwhile: refused, never freed memory read.
                        closedSeen.incrementAndGet();
                        return same;
                    }
                }
                return same;
            }));
        }
        started.await();
        Thread.sleep(50);
        engine.close();
        engine.close();
        int scored = 0;
        for (Future<Integer> run : runs) {
            scored += run.get();
        }
        pool.shutdown();
        assertTrue(scored > 0, "some scored before the close");
        assertThrows(IllegalStateException.class, () -> engine.evaluate(sub));
        assertTrue(scored + closedSeen.get() >= 8, "every thread either finished or was refused");
    }
}
