/**
 * "New monitor…" in the Monitoring tab: what to watch (a model alias), the current data (the
 * prediction log's last rows and/or a time window, or a dataset's newest snapshot) and an
 * optional schedule. The server checks every field and says what is wrong.
 */
import React from 'react';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { FormBody } from '../common/FormBody';
import { INewMonitor } from './api';

interface IFields {
  target: string;
  name: string;
  source: 'log' | 'snapshot';
  last: string;
  window: string;
  snapshot: string;
  label: string;
  schedule: string;
}

const INITIAL: IFields = {
  target: '',
  name: '',
  source: 'log',
  last: '10000',
  window: '',
  snapshot: '',
  label: '',
  schedule: ''
};

/** The monitor to create, or null when cancelled. */
export async function askNewMonitor(): Promise<INewMonitor | null> {
  const body = new NewMonitorBody();
  const result = await showDialog({
    title: 'New monitor',
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Create' })]
  });
  return result.button.accept ? result.value : null;
}

class NewMonitorBody extends FormBody<IFields> implements Dialog.IBodyWidget<INewMonitor> {
  constructor() {
    super({ ...INITIAL }, 'mlops-lab-new-monitor-');
    this.addClass('mlops-lab-new-monitor');
  }

  getValue(): INewMonitor {
    const f = this.fields;
    const spec: INewMonitor = { target: f.target.trim() };
    const optional: [keyof INewMonitor, string][] = [
      ['name', f.name],
      ['schedule', f.schedule]
    ];
    if (f.source === 'snapshot') {
      optional.push(['snapshot', f.snapshot], ['label', f.label]);
    } else {
      optional.push(['window', f.window]);
      if (f.last.trim()) {
        spec.last = Number(f.last.trim());
      }
    }
    for (const [key, value] of optional) {
      if (value.trim()) {
        (spec as unknown as Record<string, unknown>)[key] = value.trim();
      }
    }
    return spec;
  }

  render(): JSX.Element {
    const f = this.fields;
    return (
      <div className="mlops-lab-form">
        {this.text('target', 'Watch', 'model@alias, e.g. churn@champion')}
        {this.text('name', 'Name', 'optional (default: what it watches)')}
        <label className="mlops-lab-form-row">
          <span>Current data</span>
          <select
            className="jp-mod-styled"
            data-testid="mlops-lab-new-monitor-source"
            value={f.source}
            onChange={event => this.set({ source: event.target.value as IFields['source'] })}
          >
            <option value="log">the model server's prediction log</option>
            <option value="snapshot">a dataset's newest snapshot</option>
          </select>
        </label>
        {f.source === 'log' ? (
          <>
            {this.text('last', 'Last rows', '10000')}
            {this.text('window', 'Within', 'optional: 1h, 1d, 7d')}
          </>
        ) : (
          <>
            {this.text('snapshot', 'Dataset', 'e.g. customers (or customers@4)')}
            {this.text('label', 'Label column', 'optional: measures performance, e.g. churned')}
          </>
        )}
        {this.text('schedule', 'Schedule', 'optional cron (UTC), e.g. */15 * * * *')}
        <p className="mlops-lab-muted">
          The reference is the snapshot the version behind the alias was trained on.
        </p>
      </div>
    );
  }
}
