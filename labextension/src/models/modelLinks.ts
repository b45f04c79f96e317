/**
 * The "open in MLOps Lab" links that %register puts in a cell's output open the model's tab
 * instead of navigating (one delegated listener for every output, as for run links).
 */
import { listenForLinks } from '../links';

const LINK_SELECTOR = 'a.mlops-lab-model-link';
// Untrusted outputs lose data-* attributes to the sanitizer but keep the href.
const HREF = /^#mlops-lab\/models\/([^/]+)\/([0-9]{1,9})$/;

export function modelOfLink(link: Element): { name: string; version: number } | null {
  const name = link.getAttribute('data-model');
  const version = link.getAttribute('data-version');
  if (name !== null && version !== null && /^[0-9]{1,9}$/.test(version)) {
    return { name, version: Number(version) };
  }
  const match = HREF.exec(link.getAttribute('href') ?? '');
  if (!match) {
    return null;
  }
  try {
    return { name: decodeURIComponent(match[1]), version: Number(match[2]) };
  } catch {
    return null;
  }
}

export function listenForModelLinks(
  node: HTMLElement,
  open: (name: string, version: number) => void
): () => void {
  return listenForLinks(node, LINK_SELECTOR, modelOfLink, found =>
    open(found.name, found.version)
  );
}
