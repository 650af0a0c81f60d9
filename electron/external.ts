// Links that leave the app: only https: and mailto: URLs go to the system's
// browser or mail program (shell.openExternal); anything else (file:,
// javascript:, custom schemes that start programs, http:) is dropped.
// No electron import here, so it is testable under plain Node.

const EXTERNAL_SCHEMES = new Set(['https:', 'mailto:']);

/** May this URL be handed to the operating system? */
export function isExternalAllowed(url: string): boolean {
  if (typeof url !== 'string' || url.length > 2048) return false;
  try {
    const u = new URL(url);
    if (!EXTERNAL_SCHEMES.has(u.protocol)) return false;
    // https needs a host; no credentials smuggled in the authority.
    return u.protocol === 'mailto:' || (u.hostname !== '' && u.username === '' && u.password === '');
  } catch {
    return false;
  }
}

/** Open `url` with `open` (shell.openExternal) when allowed; true if it was. */
export function openExternalSafely(url: string, open: (url: string) => Promise<void>): boolean {
  if (!isExternalAllowed(url)) return false;
  void open(url).catch(() => {});
  return true;
}
