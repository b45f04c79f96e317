/**
 * Links to mlops-lab things anywhere in JupyterLab (the summaries %%track and %register put in
 * cell outputs, a run's inputs and outputs) open their view instead of navigating. One
 * delegated listener per kind of link covers every such link, present and future, so nothing
 * has to hook into the notebook's renderers.
 */

/**
 * Calls `open(target)` when an element matching `selector` inside `node` is clicked and
 * `read` finds what it points at. The listener captures, so the link's own hash is never
 * followed. Returns a function that removes the listener.
 */
export function listenForLinks<T>(
  node: HTMLElement,
  selector: string,
  read: (link: Element) => T | null,
  open: (target: T) => void
): () => void {
  const onClick = (event: MouseEvent) => {
    const target = event.target;
    const link = target instanceof Element ? target.closest(selector) : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    const found = read(link);
    if (found !== null) {
      open(found);
    }
  };
  node.addEventListener('click', onClick, true);
  return () => node.removeEventListener('click', onClick, true);
}
