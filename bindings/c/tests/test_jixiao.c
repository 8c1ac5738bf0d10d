/*
 * Tests of the C ABI, compiled with gcc against the committed header and run under valgrind
 * by scripts/test.d/30-c.sh (from the repository root: paths below are relative to it).
 *
 * Every returned string is freed and every engine released, so valgrind's leak check proves
 * the ownership rules documented in jixiao.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jixiao.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                              \
  do {                                                                \
    checks++;                                                         \
    if (!(cond)) {                                                    \
      failures++;                                                     \
      fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                   \
      fprintf(stderr, "\n");                                          \
    }                                                                 \
  } while (0)

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s (run from the repository root)\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) exit(2);
  text[size] = '\0';
  fclose(f);
  return text;
}

static int contains(const char *haystack, const char *needle) {
  return haystack && strstr(haystack, needle) != NULL;
}

/* The shared vectors every binding must reproduce byte for byte (tests/vectors/manifest.json). */
typedef struct {
  const char *name;
  const char *submission_path;
  const char *expected_path;
  char *submission;
  char *expected;
} Vector;

static Vector vectors[] = {
    {"demo-strong", "rules/demo/submissions/strong.json", "tests/vectors/expected/demo-strong.json", 0, 0},
    {"demo-average", "rules/demo/submissions/average.json", "tests/vectors/expected/demo-average.json", 0, 0},
    {"demo-weak", "rules/demo/submissions/weak.json", "tests/vectors/expected/demo-weak.json", 0, 0},
    {"demo-missing", "tests/vectors/submissions/demo-missing.json", "tests/vectors/expected/demo-missing.json", 0, 0},
    {"demo-invalid", "tests/vectors/submissions/demo-invalid.json", "tests/vectors/expected/demo-invalid.json", 0, 0},
};
#define N_VECTORS (sizeof vectors / sizeof vectors[0])

static void test_version(void) {
  const char *v = jixiao_version();
  CHECK(v && strlen(v) > 0, "version is empty");
}

static void test_null_pointers(void) {
  char *error = NULL;
  JixiaoEngine *engine = (JixiaoEngine *)1; /* must be overwritten with NULL */
  CHECK(jixiao_engine_new(NULL, &engine, &error) == JIXIAO_ERROR_NULL_POINTER, "NULL rulebook");
  CHECK(engine == NULL, "out_engine not cleared");
  CHECK(contains(error, "\"code\":\"null_pointer\"") && contains(error, "rulebook"), "error: %s", error);
  jixiao_string_free(error);

  error = NULL;
  CHECK(jixiao_engine_new("id = 'x'", NULL, &error) == JIXIAO_ERROR_NULL_POINTER, "NULL out_engine");
  CHECK(contains(error, "out_engine"), "error: %s", error);
  jixiao_string_free(error);

  /* A NULL out_error is allowed: the status alone tells the story, nothing leaks. */
  CHECK(jixiao_engine_from_path(NULL, &engine, NULL) == JIXIAO_ERROR_NULL_POINTER, "NULL path");

  char *card = (char *)1;
  error = NULL;
  CHECK(jixiao_evaluate(NULL, "{}", NULL, &card, &error) == JIXIAO_ERROR_NULL_POINTER, "NULL engine");
  CHECK(card == NULL, "out_scorecard not cleared");
  CHECK(contains(error, "engine"), "error: %s", error);
  jixiao_string_free(error);

  JixiaoEngine *demo = NULL;
  CHECK(jixiao_engine_from_path("rules/demo/rulebook.toml", &demo, NULL) == JIXIAO_OK, "demo");
  CHECK(jixiao_evaluate(demo, NULL, NULL, &card, NULL) == JIXIAO_ERROR_NULL_POINTER, "NULL submission");
  CHECK(jixiao_evaluate(demo, "{}", NULL, NULL, NULL) == JIXIAO_ERROR_NULL_POINTER, "NULL out_scorecard");
  CHECK(jixiao_evaluate_batch(demo, NULL, NULL, &card, NULL, NULL) == JIXIAO_ERROR_NULL_POINTER, "NULL batch");
  CHECK(jixiao_engine_form(demo, NULL, NULL) == JIXIAO_ERROR_NULL_POINTER, "NULL out_json");
  jixiao_engine_free(demo);

  jixiao_string_free(NULL);
  jixiao_engine_free(NULL);
}

static void test_invalid_utf8(void) {
  char *error = NULL;
  JixiaoEngine *engine = NULL;
  /* "评价" in GBK, as a Chinese-locale program might pass it by mistake. */
  const char gbk_rulebook[] = "id = \"\xc6\xc0\xbc\xdb\"";
  CHECK(jixiao_engine_new(gbk_rulebook, &engine, &error) == JIXIAO_ERROR_INVALID_UTF8, "GBK rulebook");
  CHECK(contains(error, "\"code\":\"invalid_utf8\""), "error: %s", error);
  jixiao_string_free(error);

  CHECK(jixiao_engine_from_path("rules/demo/rulebook.toml", &engine, NULL) == JIXIAO_OK, "demo");
  char *card = NULL;
  error = NULL;
  CHECK(jixiao_evaluate(engine, "{\"values\":{\"budget_requested\":\"\xff\xfe\"}}", NULL, &card, &error) ==
            JIXIAO_ERROR_INVALID_UTF8,
        "invalid submission bytes");
  CHECK(card == NULL, "scorecard despite invalid UTF-8");
  CHECK(contains(error, "submission") && contains(error, "byte offset 31"), "error: %s", error);
  jixiao_string_free(error);

  error = NULL;
  CHECK(jixiao_evaluate(engine, "{}", "{\"lang\":\"\xe4\"}", &card, &error) == JIXIAO_ERROR_INVALID_UTF8,
        "invalid options bytes");
  jixiao_string_free(error);
  jixiao_engine_free(engine);
}

static void test_bad_rulebooks(void) {
  char *error = NULL;
  JixiaoEngine *engine = NULL;
  /* A TOML syntax error: located by line. */
  CHECK(jixiao_engine_new("id = \"x\"\nversion = \n", &engine, &error) == JIXIAO_ERROR_RULEBOOK, "syntax");
  CHECK(engine == NULL, "engine despite error");
  CHECK(contains(error, "\"kind\":\"rulebook\"") && contains(error, "\"code\":\"toml_syntax\"") &&
            contains(error, "\"line\":2"),
        "error: %s", error);
  jixiao_string_free(error);

  /* Compiles as TOML but a script names an input that does not exist. */
  const char *unknown =
      "id = \"bad\"\nversion = \"1\"\ntitle = \"坏方案\"\nstage = \"post\"\n"
      "[[inputs]]\nid = \"x\"\nlabel = \"数值\"\ntype = \"number\"\n"
      "[[indicators]]\nid = \"A\"\nlabel = \"维度\"\n"
      "[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"指标\"\npoints = 100\n"
      "script = 'proportional(\"no_such_input\", 1.0)'\n";
  error = NULL;
  CHECK(jixiao_engine_new(unknown, &engine, &error) == JIXIAO_ERROR_RULEBOOK, "unknown name");
  CHECK(contains(error, "\"indicator\":\"A1\"") && contains(error, "no_such_input"), "error: %s", error);
  jixiao_string_free(error);

  error = NULL;
  CHECK(jixiao_engine_from_path("rules/no-such-rulebook.toml", &engine, &error) == JIXIAO_ERROR_IO, "missing file");
  CHECK(contains(error, "\"kind\":\"io\""), "error: %s", error);
  jixiao_string_free(error);
}

static void test_bad_submissions_and_options(void) {
  JixiaoEngine *engine = NULL;
  CHECK(jixiao_engine_from_path("rules/demo/rulebook.toml", &engine, NULL) == JIXIAO_OK, "demo");
  char *card = NULL, *error = NULL;
  CHECK(jixiao_evaluate(engine, "not json", NULL, &card, &error) == JIXIAO_ERROR_SUBMISSION, "not json");
  CHECK(contains(error, "\"kind\":\"submission\"") && contains(error, "submission_syntax"), "error: %s", error);
  jixiao_string_free(error);

  error = NULL;
  CHECK(jixiao_evaluate(engine, "{}", "{\"lang\": \"fr\"}", &card, &error) == JIXIAO_ERROR_INVALID_OPTIONS,
        "bad options");
  CHECK(contains(error, "invalid_options"), "error: %s", error);
  jixiao_string_free(error);

  /* An unknown option is refused, as in WebAssembly (a typo must not mean the default). */
  error = NULL;
  CHECK(jixiao_evaluate(engine, "{}", "{\"bogus\": 1}", &card, &error) == JIXIAO_ERROR_INVALID_OPTIONS,
        "unknown option");
  CHECK(contains(error, "bogus"), "error: %s", error);
  jixiao_string_free(error);

  /* Bad values are not a failure: the scorecard lists them and is incomplete. */
  error = NULL;
  CHECK(jixiao_evaluate(engine, "{\"values\":{\"funds_spent\":\"很多\"}}", "{\"trace\":false,\"lang\":\"en\"}",
                        &card, &error) == JIXIAO_OK,
        "bad value");
  CHECK(error == NULL, "error set on success");
  CHECK(contains(card, "\"complete\":false") && contains(card, "\"code\":\"wrong_type\""), "card: %.300s", card);
  jixiao_string_free(card);
  jixiao_engine_free(engine);
}

static void test_hostile_script(void) {
  const char *hostile =
      "id = \"hostile\"\nversion = \"1\"\ntitle = \"恶意脚本\"\nstage = \"post\"\n"
      "[[inputs]]\nid = \"x\"\nlabel = \"数值\"\ntype = \"number\"\n"
      "[[indicators]]\nid = \"A\"\nlabel = \"维度\"\n"
      "[[indicators]]\nid = \"A1\"\nparent = \"A\"\nlabel = \"正常\"\npoints = 50\n"
      "script = 'proportional(\"x\", 10.0)'\n"
      "[[indicators]]\nid = \"A2\"\nparent = \"A\"\nlabel = \"死循环\"\npoints = 50\n"
      "script = 'loop {}'\n";
  JixiaoEngine *engine = NULL;
  char *error = NULL;
  CHECK(jixiao_engine_new(hostile, &engine, &error) == JIXIAO_OK, "hostile rulebook compiles: %s", error);
  jixiao_string_free(error);
  if (!engine) return;
  char *card = NULL;
  error = NULL;
  time_t start = time(NULL);
  CHECK(jixiao_evaluate(engine, "{\"values\":{\"x\":5}}", NULL, &card, &error) == JIXIAO_OK, "evaluate");
  /* Bounded by the sandbox's operation limit: well under a minute even under valgrind. */
  CHECK(time(NULL) - start < 60, "the loop was not stopped");
  CHECK(contains(card, "\"code\":\"limit_exceeded\"") && contains(card, "\"status\":\"error\""), "card: %s", card);
  CHECK(contains(card, "\"score\":25"), "the other indicator was not scored: %.400s", card);
  jixiao_string_free(card);
  jixiao_engine_free(engine);
}

static void test_vectors(JixiaoEngine *engine) {
  for (size_t i = 0; i < N_VECTORS; i++) {
    char *card = NULL, *error = NULL;
    CHECK(jixiao_evaluate(engine, vectors[i].submission, NULL, &card, &error) == JIXIAO_OK, "%s", vectors[i].name);
    CHECK(card && strcmp(card, vectors[i].expected) == 0, "%s differs from %s", vectors[i].name,
          vectors[i].expected_path);
    jixiao_string_free(card);
    jixiao_string_free(error);
  }
}

static void test_form(JixiaoEngine *engine) {
  char *form = NULL;
  CHECK(jixiao_engine_form(engine, &form, NULL) == JIXIAO_OK, "form");
  CHECK(contains(form, "\"id\":\"approval_basis\"") && contains(form, "立项依据充分性"), "form: %.200s", form);
  jixiao_string_free(form);
}

static void test_batch(JixiaoEngine *engine) {
  size_t n = strlen(vectors[0].submission) + strlen(vectors[1].submission) + 64;
  char *array = malloc(n);
  snprintf(array, n, "[%s, 42, %s]", vectors[0].submission, vectors[1].submission);
  char *results = NULL, *error = NULL;
  size_t failed = 99;
  CHECK(jixiao_evaluate_batch(engine, array, NULL, &results, &failed, &error) == JIXIAO_OK, "array batch: %s", error);
  CHECK(failed == 1, "failed = %zu", failed);
  CHECK(contains(results, "{\"index\":0,\"scorecard\":{") && contains(results, "{\"index\":1,\"error\":{") &&
            contains(results, "{\"index\":2,\"scorecard\":{"),
        "results: %.300s", results);
  /* The batch result of item 0 is the single-evaluation scorecard byte for byte. */
  CHECK(contains(results, vectors[0].expected), "batch scorecard differs");
  jixiao_string_free(results);
  free(array);

  const char *lines = "{\"values\":{\"budget_requested\":100}}\n\n{\"values\":{}}\n{oops\n";
  CHECK(jixiao_evaluate_batch(engine, lines, "{\"trace\":false}", &results, &failed, NULL) == JIXIAO_OK, "lines");
  CHECK(failed == 1, "failed = %zu", failed);
  CHECK(contains(results, "{\"index\":2,\"error\":{\"kind\":\"submission\""), "results: %.600s", results);
  jixiao_string_free(results);

  error = NULL;
  CHECK(jixiao_evaluate_batch(engine, "[{\"values\":{}},", NULL, &results, NULL, &error) == JIXIAO_ERROR_SUBMISSION,
        "broken array");
  CHECK(results == NULL, "results despite error");
  jixiao_string_free(error);
}

/* Eight threads share one engine; each scores every vector many times and must get exactly
 * the expected bytes every time. */
#define THREADS 8
#define ROUNDS 6

static void *worker(void *arg) {
  JixiaoEngine *engine = arg;
  long bad = 0;
  for (int round = 0; round < ROUNDS; round++) {
    for (size_t i = 0; i < N_VECTORS; i++) {
      char *card = NULL;
      if (jixiao_evaluate(engine, vectors[i].submission, NULL, &card, NULL) != JIXIAO_OK ||
          strcmp(card, vectors[i].expected) != 0)
        bad++;
      jixiao_string_free(card);
    }
  }
  return (void *)bad;
}

static void test_threads(JixiaoEngine *engine) {
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; t++) CHECK(pthread_create(&threads[t], NULL, worker, engine) == 0, "spawn %d", t);
  for (int t = 0; t < THREADS; t++) {
    void *bad = NULL;
    pthread_join(threads[t], &bad);
    CHECK(bad == NULL, "thread %d: %ld mismatches", t, (long)bad);
  }
}

int main(void) {
  for (size_t i = 0; i < N_VECTORS; i++) {
    vectors[i].submission = read_file(vectors[i].submission_path);
    vectors[i].expected = read_file(vectors[i].expected_path);
  }
  test_version();
  test_null_pointers();
  test_invalid_utf8();
  test_bad_rulebooks();
  test_bad_submissions_and_options();
  test_hostile_script();

  /* The canonical JSON export, as a host that stores rulebooks in its database loads it. */
  char *rulebook = read_file("tests/vectors/rulebooks/demo.json");
  JixiaoEngine *engine = NULL;
  char *error = NULL;
  CHECK(jixiao_engine_new(rulebook, &engine, &error) == JIXIAO_OK, "demo.json: %s", error);
  free(rulebook);
  if (engine) {
    test_vectors(engine);
    test_form(engine);
    test_batch(engine);
    test_threads(engine);
    jixiao_engine_free(engine);
  }

  for (size_t i = 0; i < N_VECTORS; i++) {
    free(vectors[i].submission);
    free(vectors[i].expected);
  }
  printf("%d checks, %d failures\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
