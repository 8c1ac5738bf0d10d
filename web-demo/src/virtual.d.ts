// Build-time module made by vite.config.ts: every rules/*/rulebook.toml, script files inlined.
declare module "virtual:rulebooks" {
  const rulebooks: { id: string; title: string; title_en?: string; folder: string; text: string }[];
  export default rulebooks;
}
