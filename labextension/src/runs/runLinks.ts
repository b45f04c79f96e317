/**
 * The "open in MLOps Lab" links that %%track puts in a cell's output open the run's
 * tab instead of navigating. One delegated listener covers every output, present
 * and future, so nothing has to hook into the notebook's renderers.
 */
import { listenForLinks } from '../links';

const RUN_ID = /^[0-9a-f]{32}$/;
const LINK_SELECTOR = 'a.mlops-lab-run-link';
// Untrusted outputs lose data-* attributes to the sanitizer but keep the href.
const HREF = /^#mlops-lab\/runs\/([0-9a-f]{32})$/;

export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && RUN_ID.test(value);
}

/** The run a summary link points at, or null when its id is not a run id. */
export function runIdOfLink(link: Element): string | null {
  const fromData = link.getAttribute('data-run-id');
  if (fromData !== null) {
    return isRunId(fromData) ? fromData : null;
  }
  const match = HREF.exec(link.getAttribute('href') ?? '');
  return match ? match[1] : null;
}

/** Calls `open(runId)` when a summary link inside `node` is clicked. */
export function listenForRunLinks(
  node: HTMLElement,
  open: (runId: string) => void
): () => void {
  return listenForLinks(node, LINK_SELECTOR, runIdOfLink, open);
}
