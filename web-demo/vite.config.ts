import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "..");

// The evaluator's web form. `npm run demo` serves it; `npm run build:demo` writes web-demo/dist.
export default defineConfig({
  root: here,
  base: "./",
  resolve: {
    alias: {
      // The package of bindings/wasm (its browser entries) (`bash bindings/wasm/build.sh`): the engine and the
      // shipped rulebooks (rules/*/ as canonical JSON, so hashes match the native CLI's).
      "jixiao-wasm/report": resolve(repo, "bindings/wasm/pkg/report.js"),
      "jixiao-wasm/batch": resolve(repo, "bindings/wasm/pkg/batch.js"),
      "jixiao-wasm": resolve(repo, "bindings/wasm/pkg/jixiao_wasm.js"),
    },
  },
  server: {
    host: "127.0.0.1",
    fs: { allow: [repo] },
  },
  preview: { host: "127.0.0.1" },
  build: {
    outDir: resolve(here, "dist"),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
