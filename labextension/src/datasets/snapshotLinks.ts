/**
 * Links that open a snapshot's view: the run view's "Inputs and outputs" entries of kind
 * "snapshot" (one delegated listener for the whole shell, as for model links).
 */
import { listenForLinks } from '../links';

const LINK_SELECTOR = 'a.mlops-lab-snapshot-link';
const HREF = /^#mlops-lab\/snapshots\/([0-9a-f]{32})$/;

export function snapshotOfLink(link: Element): string | null {
  const id = link.getAttribute('data-snapshot-id');
  if (id !== null && /^[0-9a-f]{32}$/.test(id)) {
    return id;
  }
  const match = HREF.exec(link.getAttribute('href') ?? '');
  return match ? match[1] : null;
}

export function listenForSnapshotLinks(
  node: HTMLElement,
  open: (snapshotId: string) => void
): () => void {
  return listenForLinks(node, LINK_SELECTOR, snapshotOfLink, open);
}
