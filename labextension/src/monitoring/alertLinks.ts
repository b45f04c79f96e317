/**
 * Links that show an alert in the Monitoring tab (a retraining firing's "alert #12"): one
 * delegated listener for the whole shell, as for snapshot and model links.
 */
import { listenForLinks } from '../links';

const LINK_SELECTOR = 'a.mlops-lab-alert-link';
const HREF = /^#mlops-lab\/alerts\/([0-9]{1,18})$/;

export function alertOfLink(link: Element): number | null {
  const id = link.getAttribute('data-alert-id');
  if (id !== null && /^[0-9]{1,18}$/.test(id)) {
    return Number(id);
  }
  const match = HREF.exec(link.getAttribute('href') ?? '');
  return match ? Number(match[1]) : null;
}

export function listenForAlertLinks(
  node: HTMLElement,
  show: (alertId: number) => void
): () => void {
  return listenForLinks(node, LINK_SELECTOR, alertOfLink, show);
}
