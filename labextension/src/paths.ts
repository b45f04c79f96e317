/**
 * Notebook paths recorded by a tracked cell, turned into paths the Jupyter
 * contents API understands (relative to the server root).
 */
import { PageConfig } from '@jupyterlab/coreutils';

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '');
}

/**
 * The path to open with `docmanager:open`, or null when the notebook lies outside
 * the server root (the contents API cannot reach it then).
 */
export function notebookServerPath(
  recorded: string,
  serverRoot: string = PageConfig.getOption('serverRoot')
): string | null {
  const path = recorded.replace(/\\/g, '/');
  const absolute = path.startsWith('/') || /^[A-Za-z]:\//.test(path);
  if (!absolute) {
    return path.replace(/^\.\//, '');
  }
  const root = trimSlashes(serverRoot.replace(/\\/g, '/'));
  if (root && path.startsWith(`${root}/`)) {
    return path.slice(root.length + 1);
  }
  return null;
}
