/* One shared vector through the C ABI, byte for byte: vector RULEBOOK_JSON SUBMISSION EXPECTED.
 * Exit 0 when the scorecard is exactly EXPECTED (its trailing newline aside), 1 when it differs,
 * 2 when a call fails. Built for other CPUs by scripts/test.d/70-cross.sh and run under
 * qemu-user: the same bytes on ARM64 and LoongArch as on x86-64. */
#include <jixiao.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  if (!text || fread(text, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
  text[n] = 0;
  fclose(f);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) text[--n] = 0;
  return text;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: vector RULEBOOK_JSON SUBMISSION EXPECTED\n"); return 2; }
  char *rulebook = slurp(argv[1]), *submission = slurp(argv[2]), *expected = slurp(argv[3]);
  JixiaoEngine *engine = NULL;
  char *card = NULL, *error = NULL;
  if (jixiao_engine_new(rulebook, &engine, &error) != JIXIAO_OK ||
      jixiao_evaluate(engine, submission, NULL, &card, &error) != JIXIAO_OK) {
    fprintf(stderr, "%s\n", error ? error : "(no error JSON)");
    return 2;
  }
  int same = strcmp(card, expected) == 0;
  if (!same) fprintf(stderr, "%s: the scorecard differs from %s\n", argv[2], argv[3]);
  jixiao_string_free(card);
  jixiao_engine_free(engine);
  free(rulebook); free(submission); free(expected);
  return same ? 0 : 1;
}
