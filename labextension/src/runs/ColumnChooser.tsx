/**
 * The "Columns" button of the Runs tab and its list: a checkbox per column, grouped (run,
 * metrics, params, each model's params, tags); a group's checkbox shows or hides it whole.
 * A model's params start folded, since a fitted model records dozens of them.
 */
import React, { useState } from 'react';
import { ColumnChoices, columnId, IColumn, IColumnGroup, isShown } from './columns';

export interface IColumnChooserProps {
  groups: IColumnGroup[];
  choices: ColumnChoices;
  onChange: (choices: ColumnChoices) => void;
}

const ATTRIBUTE_LABELS: Record<string, string> = {
  status: 'Status',
  start_time: 'Started',
  duration: 'Duration'
};

export function columnLabel(column: IColumn): string {
  return column.kind === 'attributes' ? ATTRIBUTE_LABELS[column.key] ?? column.key : column.key;
}

export function ColumnChooser(props: IColumnChooserProps): JSX.Element {
  const [open, setOpen] = useState(false);
  const set = (columns: IColumn[], shown: boolean) => {
    const next = { ...props.choices };
    columns.forEach(column => (next[columnId(column)] = shown));
    props.onChange(next);
  };
  return (
    <div className="mlops-lab-column-chooser">
      <button
        className="jp-mod-styled mlops-lab-column-chooser-button"
        data-testid="mlops-lab-columns"
        aria-expanded={open}
        title="Choose the columns of the table (remembered for this experiment)"
        onClick={() => setOpen(!open)}
      >
        Columns
      </button>
      {open && (
        <div className="mlops-lab-column-chooser-list" data-testid="mlops-lab-column-chooser-list">
          {props.groups.map(group => (
            <Group key={group.label} group={group} choices={props.choices} onSet={set} />
          ))}
        </div>
      )}
    </div>
  );
}

function Group(props: {
  group: IColumnGroup;
  choices: ColumnChoices;
  onSet: (columns: IColumn[], shown: boolean) => void;
}): JSX.Element {
  const { group, choices } = props;
  const [unfolded, setUnfolded] = useState(!group.label.endsWith('(model params)'));
  const shown = group.columns.filter(column => isShown(column, choices)).length;
  return (
    <fieldset className="mlops-lab-column-chooser-group" data-testid="mlops-lab-column-chooser-group">
      <legend>
        <label>
          <input
            type="checkbox"
            checked={shown === group.columns.length}
            ref={box => box && (box.indeterminate = shown > 0 && shown < group.columns.length)}
            onChange={event => props.onSet(group.columns, event.target.checked)}
          />
          {group.label}
        </label>
        <button
          className="mlops-lab-link-button"
          aria-expanded={unfolded}
          onClick={() => setUnfolded(!unfolded)}
        >
          {unfolded ? '▾' : `▸ ${group.columns.length}`}
        </button>
      </legend>
      {unfolded &&
        group.columns.map(column => (
          <label key={columnId(column)} className="mlops-lab-column-chooser-item" title={columnId(column)}>
            <input
              type="checkbox"
              checked={isShown(column, choices)}
              onChange={event => props.onSet([column], event.target.checked)}
            />
            {columnLabel(column)}
          </label>
        ))}
    </fieldset>
  );
}
