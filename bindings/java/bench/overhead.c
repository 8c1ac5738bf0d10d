/* Per-call cost of jixiao_evaluate from C: the reference for bindings/java/bench/Overhead.java.
 * overhead RULEBOOK SUBMISSION CALLS → prints microseconds per call (trace off). */
#include <jixiao.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (fread(text, 1, (size_t)n, f) != (size_t)n) { perror(path); exit(2); }
    text[n] = 0;
    fclose(f);
    return text;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: overhead RULEBOOK SUBMISSION CALLS\n"); return 2; }
    JixiaoEngine *engine = NULL;
    char *error = NULL;
    if (jixiao_engine_from_path(argv[1], &engine, &error) != JIXIAO_OK) { fprintf(stderr, "%s\n", error); return 1; }
    char *submission = slurp(argv[2]);
    long calls = atol(argv[3]);
    const char *options = "{\"trace\":false}";
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        double start = now();
        for (long i = 0; i < calls; i++) {
            char *card = NULL;
            if (jixiao_evaluate(engine, submission, options, &card, &error) != JIXIAO_OK) { fprintf(stderr, "%s\n", error); return 1; }
            jixiao_string_free(card);
        }
        double per = (now() - start) / (double)calls * 1e6;
        if (per < best) best = per;
    }
    printf("%.2f\n", best);
    free(submission);
    jixiao_engine_free(engine);
    return 0;
}
