// The engagement's projects (项目列表), kept in IndexedDB: each project with its rulebook, its
// submission, and what the list shows (status, total, grade). Several tabs may have the
// workspace open: every save checks the revision it started from, and a save over another
// tab's newer one merges the two (the values this tab changed, on top of the other's), so
// neither tab's edits are lost; a BroadcastChannel tells the other tabs to reload.

import type { Submission } from "./types";

/** Which rulebook a project is scored by: a shipped one, or a file's (its text kept by hash). */
export type RulebookKey = { kind: "shipped"; id: string } | { kind: "file"; name: string; hash: string };

export type ProjectStatus = "new" | "editing" | "done";

export interface Project {
  id: string;
  name: string;
  rulebook: RulebookKey;
  submission: Submission;
  status: ProjectStatus;
  total: number | null;
  grade: string | null;
  created: number;
  updated: number;
  /** Bumped by every save; a save from an older revision is merged, not written over. */
  revision: number;
}

export interface FileRulebook {
  hash: string;
  name: string;
  text: string;
}

const DB_NAME = "jixiao-workspace";
const DB_VERSION = 1;
const PROJECTS = "projects";
const RULEBOOKS = "rulebooks";

let opened: Promise<IDBDatabase> | null = null;

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const d = req.result;
      if (!d.objectStoreNames.contains(PROJECTS)) d.createObjectStore(PROJECTS, { keyPath: "id" });
      if (!d.objectStoreNames.contains(RULEBOOKS)) d.createObjectStore(RULEBOOKS, { keyPath: "hash" });
    };
    req.onsuccess = () => {
      const d = req.result;
      // Another tab upgrading or deleting the database: let it, and open again when needed.
      d.onversionchange = () => {
        d.close();
        opened = null;
      };
      resolve(d);
    };
    req.onerror = () => reject(req.error ?? new Error("IndexedDB unavailable"));
    req.onblocked = () => reject(new Error("IndexedDB blocked by another tab"));
  });
  return opened;
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error("IndexedDB request failed"));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

export async function listProjects(): Promise<Project[]> {
  const tx = (await db()).transaction(PROJECTS, "readonly");
  const all = await done(tx.objectStore(PROJECTS).getAll() as IDBRequest<Project[]>);
  return all.sort((a, b) => b.updated - a.updated);
}

export async function getProject(id: string): Promise<Project | undefined> {
  const tx = (await db()).transaction(PROJECTS, "readonly");
  return (await done(tx.objectStore(PROJECTS).get(id))) as Project | undefined;
}

/** Writes a new project (or puts one back, as undo of a delete does). */
export async function addProject(p: Project): Promise<void> {
  const tx = (await db()).transaction(PROJECTS, "readwrite");
  tx.objectStore(PROJECTS).put(p);
  await committed(tx);
  announce({ type: "changed", id: p.id, revision: p.revision });
}

/** Writes new projects in one transaction (the rows of an imported table). */
export async function addProjects(list: Project[]): Promise<void> {
  const tx = (await db()).transaction(PROJECTS, "readwrite");
  const store = tx.objectStore(PROJECTS);
  for (const p of list) store.put(p);
  await committed(tx);
  announce({ type: "changed", id: "*", revision: 0 });
}

export async function deleteProject(id: string): Promise<void> {
  const tx = (await db()).transaction(PROJECTS, "readwrite");
  tx.objectStore(PROJECTS).delete(id);
  await committed(tx);
  announce({ type: "deleted", id });
}

export interface Saved {
  project: Project;
  /** Another tab had saved meanwhile: its changes were merged in. */
  merged: boolean;
}

/**
 * Saves `next`, which was edited from `base` (the project as this tab last loaded or saved it).
 * When the stored revision is still `base.revision` it is written as it is; when another tab
 * saved meanwhile, the submission is merged (see [`mergeSubmissions`]) and written over the
 * newer one. Either way the revision moves on by one.
 */
export async function saveProject(base: Project, next: Project): Promise<Saved> {
  const tx = (await db()).transaction(PROJECTS, "readwrite");
  const store = tx.objectStore(PROJECTS);
  const stored = (await done(store.get(next.id))) as Project | undefined;
  let merged = false;
  let out: Project;
  if (stored && stored.revision !== base.revision) {
    merged = true;
    out = {
      ...stored,
      name: next.name !== base.name ? next.name : stored.name,
      submission: mergeSubmissions(base.submission, next.submission, stored.submission),
      revision: stored.revision + 1,
      updated: Date.now(),
    };
  } else {
    out = { ...next, revision: (stored?.revision ?? base.revision) + 1, updated: Date.now() };
  }
  store.put(out);
  await committed(tx);
  announce({ type: "changed", id: out.id, revision: out.revision });
  return { project: out, merged };
}

/**
 * Three-way merge of a submission: what `mine` changed since `base` is applied to `theirs`
 * key by key (values, notes, N/A marks, project fields, evidence, experts); a key both
 * changed takes `mine` (the edit the person in this tab just made).
 */
export function mergeSubmissions(base: Submission, mine: Submission, theirs: Submission): Submission {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const mergeMap = <T>(b?: Record<string, T>, m?: Record<string, T>, t?: Record<string, T>): Record<string, T> => {
    const out: Record<string, T> = { ...(t ?? {}) };
    const keys = new Set([...Object.keys(b ?? {}), ...Object.keys(m ?? {})]);
    for (const k of keys) {
      const before = b?.[k];
      const now = m?.[k];
      if (same(before, now)) continue;
      if (now === undefined) delete out[k];
      else out[k] = now;
    }
    return out;
  };
  const values = mergeMap(base.values, mine.values, theirs.values);
  const notes = mergeMap(base.notes, mine.notes, theirs.notes);
  const project = mergeMap(
    base.project as Record<string, unknown> | undefined,
    mine.project as Record<string, unknown> | undefined,
    theirs.project as Record<string, unknown> | undefined,
  );
  const evidence = mergeMap(base.evidence, mine.evidence, theirs.evidence);
  const na = new Set(theirs.not_applicable ?? []);
  const baseNa = new Set(base.not_applicable ?? []);
  const mineNa = new Set(mine.not_applicable ?? []);
  for (const id of mineNa) if (!baseNa.has(id)) na.add(id);
  for (const id of baseNa) if (!mineNa.has(id)) na.delete(id);
  const experts = same(base.experts, mine.experts) ? theirs.experts : mine.experts;
  const out: Submission = { values };
  if (Object.keys(project).length) out.project = project as Submission["project"];
  if (na.size) out.not_applicable = [...na];
  if (Object.keys(notes).length) out.notes = notes;
  if (Object.keys(evidence).length) out.evidence = evidence;
  if (experts?.length) out.experts = experts;
  return out;
}

export async function saveRulebookFile(f: FileRulebook): Promise<void> {
  const tx = (await db()).transaction(RULEBOOKS, "readwrite");
  tx.objectStore(RULEBOOKS).put(f);
  await committed(tx);
}

export async function getRulebookFile(hash: string): Promise<FileRulebook | undefined> {
  const tx = (await db()).transaction(RULEBOOKS, "readonly");
  return (await done(tx.objectStore(RULEBOOKS).get(hash))) as FileRulebook | undefined;
}

export async function listRulebookFiles(): Promise<FileRulebook[]> {
  const tx = (await db()).transaction(RULEBOOKS, "readonly");
  return (await done(tx.objectStore(RULEBOOKS).getAll())) as FileRulebook[];
}

// ---------------------------------------------------------------- a whole engagement, as one file

/** An engagement as one file: every project and the rulebook files they use, so the work
 * moves between machines. */
export interface Engagement {
  format: "jixiao-engagement";
  version: 1;
  exported: string;
  rulebooks: FileRulebook[];
  projects: Project[];
}

export async function exportEngagement(): Promise<Engagement> {
  const list = await listProjects();
  const used = new Set(list.flatMap((p) => (p.rulebook.kind === "file" ? [p.rulebook.hash] : [])));
  const rulebooks = (await listRulebookFiles()).filter((r) => used.has(r.hash));
  return { format: "jixiao-engagement", version: 1, exported: new Date().toISOString(), rulebooks, projects: list };
}

export interface Imported {
  added: number;
  replaced: number;
  /** Projects this machine has in a newer revision: kept as they are here. */
  kept: number;
}

/** Reads an engagement file; throws an Error saying what is wrong with it. */
export function parseEngagement(text: string): Engagement {
  const v = JSON.parse(text) as Partial<Engagement>;
  if (!v || v.format !== "jixiao-engagement" || v.version !== 1 || !Array.isArray(v.projects)) {
    throw new Error("not a jixiao engagement file (format jixiao-engagement, version 1)");
  }
  for (const p of v.projects) {
    const ok =
      p && typeof p.id === "string" && typeof p.name === "string" && p.rulebook && p.submission?.values &&
      typeof p.revision === "number" && typeof p.updated === "number";
    if (!ok) throw new Error(`a project of the file is incomplete: ${JSON.stringify(p).slice(0, 80)}`);
  }
  return { format: "jixiao-engagement", version: 1, exported: String(v.exported ?? ""), rulebooks: v.rulebooks ?? [], projects: v.projects };
}

/** Adds an engagement's projects: new ones are added, ones this machine has are replaced when
 * the file's are newer (a higher revision, or the same revision saved later) and kept otherwise. */
export async function importEngagement(e: Engagement): Promise<Imported> {
  for (const r of e.rulebooks) {
    if (typeof r.hash === "string" && typeof r.text === "string") await saveRulebookFile(r);
  }
  const out: Imported = { added: 0, replaced: 0, kept: 0 };
  const tx = (await db()).transaction(PROJECTS, "readwrite");
  const store = tx.objectStore(PROJECTS);
  for (const p of e.projects) {
    const here = (await done(store.get(p.id))) as Project | undefined;
    if (!here) {
      store.put(p);
      out.added++;
    } else if (p.revision > here.revision || (p.revision === here.revision && p.updated > here.updated)) {
      store.put(p);
      out.replaced++;
    } else {
      out.kept++;
    }
  }
  await committed(tx);
  announce({ type: "changed", id: "*", revision: 0 });
  return out;
}

// ---------------------------------------------------------------- other tabs

export type Announcement = { type: "changed"; id: string; revision: number } | { type: "deleted"; id: string };

const channel: BroadcastChannel | null = typeof BroadcastChannel === "function" ? new BroadcastChannel(DB_NAME) : null;

function announce(a: Announcement): void {
  channel?.postMessage(a);
}

/** Calls `fn` when another tab changes or deletes a project. */
export function onOtherTab(fn: (a: Announcement) => void): void {
  channel?.addEventListener("message", (e) => fn(e.data as Announcement));
}

export function newId(): string {
  return typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : `p-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
