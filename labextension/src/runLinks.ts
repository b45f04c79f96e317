/**
 * The "open in MLOps Lab" links that %%track puts in a cell's output open the run's
 * tab instead of navigating. One delegated listener covers every output, present
 * and future, so nothing has to hook into the notebook's renderers.
 */
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

/**
 * Call `open(runId)` when a summary link inside `node` is clicked. The listener
 * captures, so the link's own hash handling never navigates first. Returns a
 * function that removes the listener.
 */
export function listenForRunLinks(
  node: HTMLElement,
  open: (runId: string) => void
): () => void {
  const onClick = (event: MouseEvent) => {
    const target = event.target;
    const link = target instanceof Element ? target.closest(LINK_SELECTOR) : null;
    if (!link) {
      return;
    }
    // The hash these links carry means nothing to the page: never follow it.
    event.preventDefault();
    const runId = runIdOfLink(link);
    if (runId !== null) {
      open(runId);
    }
  };
  node.addEventListener('click', onClick, true);
  return () => node.removeEventListener('click', onClick, true);
}
