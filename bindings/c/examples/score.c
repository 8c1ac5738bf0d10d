/*
 * Score one project with the jixiao C library.
 *
 *   cargo build --release -p jixiao-c
 *   gcc -std=c11 -Wall -Ibindings/c/include bindings/c/examples/score.c \
 *       -Ltarget/release -ljixiao -Wl,-rpath,"$PWD/target/release" -o score
 *   ./score rules/demo/rulebook.toml rules/demo/submissions/average.json
 *
 * Prints the total and the grade, then the whole scorecard JSON. Exit status: 0 complete,
 * 3 incomplete (as `jixiao score`), 1 on any error (its JSON on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jixiao.h"

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (text && fread(text, 1, (size_t)size, f) != (size_t)size) {
    free(text);
    text = NULL;
  }
  if (text) text[size] = '\0';
  fclose(f);
  return text;
}

/* The text after `"key":` at the top level of a scorecard (a real program uses a JSON
 * library; the keys printed here occur once before any nested object of the same name). */
static void print_field(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = strstr(json, pattern);
  if (!at) return;
  at += strlen(pattern);
  size_t n = strcspn(at, ",}");
  printf("%s: %.*s\n", key, (int)n, at);
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s RULEBOOK.toml SUBMISSION.json\n", argv[0]);
    return 2;
  }
  char *error = NULL;
  JixiaoEngine *engine = NULL;
  if (jixiao_engine_from_path(argv[1], &engine, &error) != JIXIAO_OK) {
    fprintf(stderr, "rulebook error: %s\n", error);
    jixiao_string_free(error);
    return 1;
  }

  char *submission = read_file(argv[2]);
  if (!submission) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    jixiao_engine_free(engine);
    return 1;
  }

  char *scorecard = NULL;
  JixiaoStatus status = jixiao_evaluate(engine, submission, "{\"trace\": true}", &scorecard, &error);
  free(submission);
  if (status != JIXIAO_OK) {
    fprintf(stderr, "submission error (status %d): %s\n", (int)status, error);
    jixiao_string_free(error);
    jixiao_engine_free(engine);
    return 1;
  }

  printf("jixiao %s\n", jixiao_version());
  print_field(scorecard, "total");
  print_field(scorecard, "complete");
  const char *grade = strstr(scorecard, "\"grade\":{\"label\":\"");
  if (grade) {
    grade += strlen("\"grade\":{\"label\":\"");
    printf("grade: %.*s\n", (int)strcspn(grade, "\""), grade);
  }
  int complete = strstr(scorecard, "\"complete\":true") != NULL;
  printf("%s\n", scorecard);

  jixiao_string_free(scorecard);
  jixiao_engine_free(engine);
  return complete ? 0 : 3;
}
