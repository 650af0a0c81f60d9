// The topology store: the open lab's file, YAML text (the source of truth),
// parsed view, dirty state, selection, and undo/redo of edits.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { useBridge } from '../bridge/bridge.js';
import type { BackupInfo, LabDoc, LabView, NodeKind, SessionState } from '../bridge/protocol.js';
import * as edit from '../lab/edit.js';
import { useFramesStore } from './frames.js';
import { useLiveStore } from './live.js';
import { usePacketStore } from './packets.js';
import { useSessionStore } from './session.js';

const MAX_UNDO = 200;

export const useLabStore = defineStore('lab', () => {
  const path = ref<string | null>(null);
  const text = ref('');
  const savedText = ref('');
  const lab = shallowRef<LabView | null>(null);
  const selected = ref<string | null>(null);
  const undoStack = ref<string[]>([]);
  const redoStack = ref<string[]>([]);
  /** Bumped each time a document is loaded (views holding per-host state start over). */
  const generation = ref(0);
  /** Set when the text changed after the running lab booted. */
  const changedSinceStart = ref(false);

  /** Unsaved: the text differs in content, not only in layout (edits re-serialize YAML). */
  const dirty = computed(() => text.value !== savedText.value && !edit.sameContent(text.value, savedText.value));
  const name = computed(() => lab.value?.name || fileName(path.value) || 'untitled');
  const hostNames = computed(() => lab.value?.hosts.map((h) => h.name) ?? []);
  const selectedHost = computed(() => lab.value?.hosts.find((h) => h.name === selected.value) ?? null);
  const canUndo = computed(() => undoStack.value.length > 0);
  const canRedo = computed(() => redoStack.value.length > 0);

  function fileName(p: string | null): string {
    return p ? p.split(/[\\/]/).pop() ?? p : '';
  }

  function session(s: SessionState): void {
    useSessionStore().apply(s);
  }

  /** Take a document from the backend as the new clean state. */
  function load(doc: LabDoc & SessionState): void {
    path.value = doc.path;
    text.value = doc.text;
    savedText.value = doc.text;
    lab.value = doc.lab;
    undoStack.value = [];
    redoStack.value = [];
    changedSinceStart.value = false;
    selected.value = null;
    generation.value++;
    usePacketStore().clear();
    useFramesStore().clear();
    useLiveStore().detach();
    // a page opened on a lab that runs already follows it
    if (doc.running) useLiveStore().attach();
    session(doc);
  }

  async function refresh(): Promise<void> {
    load(await useBridge().request({ type: 'getLab' }));
  }

  /** Crash backups found at start (offered back by BackupPrompt). */
  const backups = ref<BackupInfo[]>([]);

  async function findBackups(): Promise<void> {
    backups.value = (await useBridge().request({ type: 'backups' })).backups;
  }

  /** Take a backup's text as unsaved edits of its lab. */
  async function restoreBackup(id: string): Promise<void> {
    const doc = await useBridge().request({ type: 'restoreBackup', id });
    load(doc);
    savedText.value = doc.savedText ?? '';
    backups.value = backups.value.filter((b) => b.id !== id);
  }

  async function discardBackup(id: string): Promise<void> {
    backups.value = (await useBridge().request({ type: 'discardBackup', id })).backups;
  }

  async function open(p: string): Promise<void> {
    load(await useBridge().request({ type: 'open', path: p }));
  }

  async function openText(t: string, fileLabel: string): Promise<void> {
    load(await useBridge().request({ type: 'openText', text: t, name: fileLabel }));
  }

  async function save(to?: string): Promise<void> {
    const target = to ?? path.value;
    if (!target) throw new Error('choose a file to save to');
    const doc = await useBridge().request({ type: 'save', path: target, text: text.value });
    path.value = doc.path;
    savedText.value = doc.text;
    lab.value = doc.lab;
  }

  /** Replace the text (validated by the backend), recording undo. */
  async function setText(next: string, record = true): Promise<void> {
    if (next === text.value) return;
    const doc = await useBridge().request({ type: 'edit', text: next });
    if (record) {
      undoStack.value.push(text.value);
      if (undoStack.value.length > MAX_UNDO) undoStack.value.shift();
      redoStack.value = [];
    }
    text.value = doc.text;
    lab.value = doc.lab;
    if (doc.running) changedSinceStart.value = true;
    if (selected.value && !doc.lab.hosts.some((h) => h.name === selected.value)) selected.value = null;
  }

  async function undo(): Promise<void> {
    const prev = undoStack.value.pop();
    if (prev === undefined) return;
    const cur = text.value;
    await setText(prev, false);
    redoStack.value.push(cur);
  }

  async function redo(): Promise<void> {
    const next = redoStack.value.pop();
    if (next === undefined) return;
    const cur = text.value;
    await setText(next, false);
    undoStack.value.push(cur);
  }

  async function addNode(kind: NodeKind): Promise<string> {
    const r = edit.addNode(text.value, kind);
    await setText(r.text);
    selected.value = r.name;
    return r.name;
  }

  async function connect(a: string, b: string): Promise<void> {
    await setText(edit.connect(text.value, a, b).text);
  }

  async function removeNode(n: string): Promise<void> {
    await setText(edit.removeNode(text.value, n));
  }

  async function removeLink(index: number): Promise<void> {
    await setText(edit.removeLink(text.value, index));
  }

  async function setHost(n: string, cpus: number, exec: string[]): Promise<void> {
    await setText(edit.setHost(text.value, n, cpus, exec));
  }

  function markStarted(): void {
    changedSinceStart.value = false;
  }

  return {
    path, text, savedText, lab, selected, undoStack, redoStack, changedSinceStart, generation,
    dirty, name, hostNames, selectedHost, canUndo, canRedo,
    load, refresh, open, openText, save, setText, undo, redo,
    addNode, connect, removeNode, removeLink, setHost, markStarted,
    backups, findBackups, restoreBackup, discardBackup,
  };
});
