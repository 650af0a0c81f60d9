// The application menu; items send MenuActions to the focused window.
import { Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../renderer/src/bridge/protocol.js';

export function buildMenu(win: () => BrowserWindow | null): Menu {
  const send = (a: MenuAction) => () => win()?.webContents.send('stacklab:menu', a);
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open Lab…', accelerator: 'CmdOrCtrl+O', click: send('open') },
        { label: 'Save', accelerator: 'CmdOrCtrl+S', click: send('save') },
        { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: send('saveAs') },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { label: 'Undo Topology Edit', accelerator: 'CmdOrCtrl+Z', click: send('undo') },
        { label: 'Redo Topology Edit', accelerator: 'CmdOrCtrl+Shift+Z', click: send('redo') },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'Lab',
      submenu: [
        { label: 'Start', accelerator: 'F5', click: send('start') },
        { label: 'Stop', accelerator: 'Shift+F5', click: send('stop') },
        { label: 'Run Checks', accelerator: 'CmdOrCtrl+Shift+R', click: send('runChecks') },
      ],
    },
    {
      label: 'View',
      submenu: [
        { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+D', click: send('toggleTheme') },
        { label: 'Lay Out Again', accelerator: 'CmdOrCtrl+L', click: send('layout') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'togglefullscreen' },
        { role: 'toggleDevTools' },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
