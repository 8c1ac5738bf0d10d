import { defineConfig, type Plugin } from "vite";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { existsSync, readdirSync, readFileSync } from "node:fs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "..");
const rulesDir = resolve(repo, "rules");

/**
 * `virtual:rulebooks`: every shipped rulebook (`rules/<name>/rulebook.toml`), read at build
 * time. A rulebook loaded from a string has no folder to read `script_file` from, so each
 * `script_file = "x.rhai"` line is replaced, on the same line, by `script = "<the file's text
 * as a one-line TOML basic string>"`; every other line keeps its number, so errors still point
 * at the rulebook's own lines.
 */
function rulebooks(): Plugin {
  const id = "virtual:rulebooks";
  const resolved = "\0" + id;
  const files: string[] = [];
  return {
    name: "jixiao-rulebooks",
    resolveId(source) {
      return source === id ? resolved : null;
    },
    load(source) {
      if (source !== resolved) return null;
      const out: { id: string; title: string; title_en?: string; folder: string; text: string }[] = [];
      for (const folder of readdirSync(rulesDir).sort()) {
        const path = join(rulesDir, folder, "rulebook.toml");
        if (!existsSync(path)) continue;
        files.push(path);
        let text = readFileSync(path, "utf8");
        text = text.replace(
          /^(\s*)script_file\s*=\s*"([^"]+)"\s*(#.*)?$/gm,
          (_m, indent: string, rel: string) => {
            const file = join(dirname(path), rel);
            files.push(file);
            return `${indent}script = ${JSON.stringify(readFileSync(file, "utf8"))}`;
          },
        );
        // id and titles are top-level keys, before the first [table].
        const head = text.split(/^\s*\[/m)[0] ?? "";
        const key = (k: string) => head.match(new RegExp(`^${k}\\s*=\\s*"([^"]*)"`, "m"))?.[1];
        out.push({ id: key("id") ?? folder, title: key("title") ?? folder, title_en: key("title_en"), folder, text });
      }
      for (const f of files) this.addWatchFile(f);
      return `export default ${JSON.stringify(out)};`;
    },
  };
}

// The evaluator's web form. `npm run demo` serves it; `npm run build:demo` writes web-demo/dist.
export default defineConfig({
  root: here,
  base: "./",
  plugins: [rulebooks()],
  resolve: {
    alias: {
      // The web build of bindings/wasm (`bash bindings/wasm/build.sh`).
      "jixiao-wasm": resolve(repo, "bindings/wasm/pkg-web/jixiao_wasm.js"),
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
