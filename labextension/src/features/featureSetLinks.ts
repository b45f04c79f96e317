/**
 * Links to a feature set anywhere in JupyterLab (a run's inputs, for one) open its view: an
 * element `a.mlops-lab-feature-set-link` with `data-feature-set="<name>"`. One delegated
 * listener covers every such link, present and future.
 */
import { listenForLinks } from '../links';

const LINK_SELECTOR = 'a.mlops-lab-feature-set-link';

export function listenForFeatureSetLinks(
  node: HTMLElement,
  open: (name: string) => void
): () => void {
  return listenForLinks(node, LINK_SELECTOR, link => link.getAttribute('data-feature-set'), open);
}
