/**
 * The number of open alerts on the Monitoring tab's title, kept by a poll of its own: the
 * badge has to be right while another tab of the panel is showing. The tab bar renders the
 * title's dataset as `data-open-alerts`, which the stylesheet draws as a badge.
 */
import { Poll } from '@lumino/polling';
import { Title, Widget } from '@lumino/widgets';
import { frequency } from '../usePolling';
import { countOpenAlerts } from './api';

export class OpenAlertsBadge {
  constructor(
    private readonly title: Title<Widget>,
    seconds: number
  ) {
    this.label = title.label;
    this.poll = new Poll({
      factory: () => countOpenAlerts().then(count => this.show(count)),
      frequency: frequency(seconds),
      standby: 'when-hidden'
    });
  }

  /** Seconds between counts (the panel's refresh interval); 0 counts only when asked. */
  set seconds(value: number) {
    if (!this.unavailable) {
      this.poll.frequency = frequency(value);
    }
  }

  /** Counts again now (after an alert was acknowledged or resolved). */
  refresh(): void {
    void this.poll.refresh();
  }

  dispose(): void {
    this.poll.dispose();
  }

  private show(count: string | null): void {
    if (count === null) {
      // This server has no alerts: nothing to count until the page loads again.
      this.unavailable = true;
      this.poll.frequency = frequency(0);
    }
    const open = count !== null && count !== '0';
    this.title.dataset = open ? { 'open-alerts': count } : {};
    this.title.caption = open
      ? `${this.label}: ${count} open alert${count === '1' ? '' : 's'}`
      : this.label;
  }

  private readonly label: string;
  private unavailable = false;
  private readonly poll: Poll;
}
