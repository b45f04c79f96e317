/**
 * The side panel's tab bar wraps its tabs onto as many rows as the panel's width needs, so
 * every tab shows its whole name. Lumino lays a tab panel out from its bar's CSS min/max
 * height, so the bar is given its content's height and the panel asked to fit again whenever
 * that height changes (the panel resized, a part's tab added).
 */
import { TabPanel } from '@lumino/widgets';

export function wrapTabRows(tabs: TabPanel): void {
  const bar = tabs.tabBar;
  const fitHeight = () => {
    const height = `${bar.contentNode.scrollHeight}px`;
    if (bar.node.style.minHeight !== height) {
      bar.node.style.minHeight = height;
      bar.node.style.maxHeight = height;
      tabs.fit();
    }
  };
  const observer = new ResizeObserver(fitHeight);
  observer.observe(bar.contentNode);
  tabs.disposed.connect(() => observer.disconnect());
}
