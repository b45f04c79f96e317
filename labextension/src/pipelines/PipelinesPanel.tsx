/**
 * The "Pipelines" tab of the side panel: pipeline runs (status, notebook, duration,
 * parameters) and schedules (cron, time zone, next fire times; enable, disable, create, edit,
 * delete). Selecting a run opens it in the main area.
 */
import React, { useState } from 'react';
import { ApiError } from '../request';
import { formatDuration, relativeTime } from '../format';
import { usePolling } from '../usePolling';
import { PanelList } from '../common/PanelList';
import { StatusBadge } from '../common/StatusBadge';
import {
  createSchedule,
  deleteSchedule,
  editSchedule,
  IPipelineRun,
  ISchedule,
  IScheduleInput,
  listPipelineRuns,
  listSchedules
} from './api';
import { fileName, showValue } from './shared';
import { ErrorBanner } from '../common/ErrorBanner';

export interface IPipelinesPanelProps {
  visible: boolean;
  refreshInterval: number;
  onOpen: (run: IPipelineRun) => void;
}

export function PipelinesPanel(props: IPipelinesPanelProps): JSX.Element {
  const [editing, setEditing] = useState<ISchedule | 'new' | null>(null);
  const polled = usePolling(() => Promise.all([listPipelineRuns(), listSchedules()]), [], props);
  const { error, setError, reload } = polled;
  const [runs, schedules] = polled.data ?? [null, null];

  const act = (work: Promise<unknown>) =>
    work.then(reload, (reason: ApiError) => setError(reason.message));

  return (
    <div className="mlops-lab-panel-body mlops-lab-pipelines-panel" data-testid="mlops-lab-pipelines-panel">
      <div className="mlops-lab-pipelines-toolbar">
        <span className="mlops-lab-pipelines-heading">Pipeline runs</span>
        <button className="mlops-lab-link-button" title="Load again" onClick={reload}>
          Refresh
        </button>
      </div>
      <ErrorBanner message={error} />
      <PanelList
        className="mlops-lab-pipelines-runs"
        items={runs}
        itemKey={run => run.id}
        listClassName="mlops-lab-pipelines-list"
        testId="mlops-lab-pipeline-runs"
        empty={
          'No pipeline runs yet. Use “Run as pipeline” in a notebook’s toolbar or on a ' +
          'notebook in the file browser, or `mlops-lab run NOTEBOOK.ipynb`.'
        }
        renderItem={run => (
          <button
            className="mlops-lab-pipeline-row"
            data-testid="mlops-lab-pipeline-row"
            title={`${run.notebook}\n${run.id}${run.error ? '\n' + run.error : ''}`}
            onClick={() => props.onOpen(run)}
          >
            <span className="mlops-lab-pipeline-row-top">
              <StatusBadge status={run.status} testId="mlops-lab-pipeline-status" />
              <span className="mlops-lab-pipeline-notebook">{fileName(run.notebook)}</span>
              <span className="mlops-lab-pipeline-meta">
                {formatDuration(run.duration_ms)} · {relativeTime(run.created_at)}
              </span>
            </span>
            {Object.keys(run.parameters).length > 0 && (
              <span className="mlops-lab-pipeline-params">
                {Object.entries(run.parameters)
                  .map(([k, v]) => `${k}=${run.effective_parameters?.[k]?.text ?? showValue(v)}`)
                  .join(' ')}
              </span>
            )}
          </button>
        )}
      />
      <div className="mlops-lab-pipelines-toolbar">
        <span className="mlops-lab-pipelines-heading">Schedules</span>
        <button
          className="mlops-lab-link-button"
          data-testid="mlops-lab-schedule-new"
          onClick={() => setEditing('new')}
        >
          New schedule
        </button>
      </div>
      {editing !== null && (
        <ScheduleForm
          schedule={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSave={input =>
            (editing === 'new' ? createSchedule(input) : editSchedule(editing.id, input)).then(
              () => {
                setEditing(null);
                reload();
              }
            )
          }
        />
      )}
      <PanelList
        className="mlops-lab-pipelines-schedules"
        items={schedules}
        itemKey={schedule => schedule.id}
        listClassName="mlops-lab-pipelines-list"
        testId="mlops-lab-schedules"
        empty={editing === null ? 'No schedules.' : null}
        rowHeight={72}
        renderItem={schedule => (
          <div className="mlops-lab-schedule-row" data-testid="mlops-lab-schedule-row">
            <div className="mlops-lab-pipeline-row-top">
              <span className="mlops-lab-schedule-name" title={schedule.notebook}>
                {schedule.name}
              </span>
              <code className="mlops-lab-schedule-cron">
                {schedule.cron} {schedule.timezone}
              </code>
            </div>
            <div className="mlops-lab-pipeline-meta">
              {/* In the schedule's time zone, as its cron is read, and saying so. */}
              {schedule.enabled
                ? `next (${schedule.timezone}): ${schedule.next_fire_times_local
                    .slice(0, 3)
                    .map(t => t.replace('T', ' '))
                    .join(', ')}`
                : 'disabled'}
            </div>
            <div className="mlops-lab-schedule-actions">
              <button
                className="mlops-lab-link-button"
                onClick={() => act(editSchedule(schedule.id, { enabled: !schedule.enabled }))}
              >
                {schedule.enabled ? 'Disable' : 'Enable'}
              </button>
              <button className="mlops-lab-link-button" onClick={() => setEditing(schedule)}>
                Edit
              </button>
              <button
                className="mlops-lab-link-button"
                onClick={() => {
                  if (window.confirm(`Delete the schedule “${schedule.name}”? Its past runs stay.`)) {
                    act(deleteSchedule(schedule.id));
                  }
                }}
              >
                Delete
              </button>
            </div>
          </div>
        )}
      />
    </div>
  );
}

function ScheduleForm(props: {
  schedule: ISchedule | null;
  onSave: (input: IScheduleInput) => Promise<void>;
  onCancel: () => void;
}): JSX.Element {
  const s = props.schedule;
  const [notebook, setNotebook] = useState(s?.notebook_path ?? '');
  const [name, setName] = useState(s?.name ?? '');
  const [cron, setCron] = useState(s?.cron ?? '0 6 * * *');
  const [timezone, setTimezone] = useState(
    s?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC'
  );
  const [params, setParams] = useState(JSON.stringify(s?.parameters ?? {}));
  const [missed, setMissed] = useState<'skip' | 'run_once'>(s?.missed ?? 'skip');
  const [keepLast, setKeepLast] = useState(s?.keep_last ? String(s.keep_last) : '');
  const [error, setError] = useState<string | null>(null);

  const save = () => {
    let parameters: Record<string, unknown>;
    try {
      parameters = JSON.parse(params || '{}');
    } catch {
      setError('Parameters must be a JSON object, e.g. {"alpha": 0.5}.');
      return;
    }
    const input: IScheduleInput = {
      notebook,
      cron,
      timezone,
      parameters,
      missed,
      keep_last: keepLast ? Number(keepLast) : null
    };
    if (name) {
      input.name = name;
    }
    props.onSave(input).catch((reason: ApiError) => setError(reason.message));
  };

  const field = (label: string, value: string, set: (v: string) => void, hint = '') => (
    <label className="mlops-lab-schedule-field">
      <span>{label}</span>
      <input
        className="jp-mod-styled"
        value={value}
        placeholder={hint}
        data-testid={`mlops-lab-schedule-${label.toLowerCase().replace(/\W+/g, '-')}`}
        onChange={event => set(event.target.value)}
      />
    </label>
  );

  return (
    <div className="mlops-lab-schedule-form" data-testid="mlops-lab-schedule-form">
      {field('Notebook', notebook, setNotebook, 'path/in/root.ipynb')}
      {field('Name', name, setName, 'optional')}
      {field('Cron', cron, setCron, 'minute hour day month weekday')}
      {field('Time zone', timezone, setTimezone, 'e.g. Europe/Paris')}
      {field('Parameters', params, setParams, '{"alpha": 0.5}')}
      <label className="mlops-lab-schedule-field">
        <span>Missed ticks</span>
        <select
          className="jp-mod-styled"
          value={missed}
          onChange={event => setMissed(event.target.value as 'skip' | 'run_once')}
        >
          <option value="skip">skip them</option>
          <option value="run_once">run once</option>
        </select>
      </label>
      {field('Keep last', keepLast, setKeepLast, 'all outputs')}
      <ErrorBanner message={error} />
      <div className="mlops-lab-schedule-actions">
        <button className="jp-mod-styled jp-mod-accept mlops-lab-button" onClick={save}>
          {s ? 'Save' : 'Create'}
        </button>
        <button className="jp-mod-styled mlops-lab-button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
